using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace IndicatorFunctions.Bench;

/// <summary>
/// A child process the reliability benchmark starts, pauses, resumes and kills (signals by pid), always on the same
/// command line — so a restart comes back on the same ports and, for Azurite, the same data folder. Output goes to a
/// log file; the pid is written to <c>{name}.pid</c> in the work folder so the script's cleanup can end a process this
/// program left behind.
/// </summary>
public sealed class BenchProcess(string name, string workDirectory, string workingDirectory, string command, IReadOnlyDictionary<string, string> environment) : IDisposable
{
    private const int SigKill = 9, SigCont = 18, SigStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    private Process? _process;

    public string Name => name;
    private string PidFile => Path.Combine(workDirectory, name + ".pid");
    public int Pid => _process?.Id ?? 0;

    public void Start()
    {
        var log = Path.Combine(workDirectory, name + ".log");
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        // exec: the pid is the server's own, so signals reach it and not a shell.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec {command} >>'{log}' 2>&1");
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        File.WriteAllText(PidFile, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Pause() => Signal(SigStop);

    public void Resume() => Signal(SigCont);

    /// <summary>SIGKILL: no shutdown, no flush; waits until the process is gone.</summary>
    public void Kill()
    {
        if (_process is null)
            return;
        Signal(SigCont); // a stopped process dies as well, but let it not linger stopped
        Signal(SigKill);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
        File.Delete(PidFile); // ended: the script's cleanup must not signal a pid the system may reuse
    }

    public bool Exited => _process is null || _process.HasExited;

    private void Signal(int signal)
    {
        if (_process is { HasExited: false } p && SysKill(p.Id, signal) != 0)
            throw new InvalidOperationException($"kill({p.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public void Dispose() => Kill();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on the port (or the process died).</summary>
    public async Task WaitPortAsync(int port, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Exited)
                break;
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new InvalidOperationException($"{name} did not listen on port {port} within {timeout.TotalSeconds} s; see {name}.log in {workDirectory}");
    }
}
