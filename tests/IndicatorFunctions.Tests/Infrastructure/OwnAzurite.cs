using System.Diagnostics;
using System.Net.Sockets;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>
/// An Azurite process of a test's own, on free ports and persisting to a temporary folder, so the test can stop it
/// (SIGTERM: it saves and exits, as a storage outage that loses nothing), start it again on the same ports and
/// data, or pause and resume it (SIGSTOP / SIGCONT: a hung account).
/// </summary>
public sealed class OwnAzurite : IAsyncDisposable
{
    private readonly int _blobPort = RepositoryPaths.FreePort();
    private readonly int _queuePort = RepositoryPaths.FreePort();
    private readonly int _tablePort = RepositoryPaths.FreePort();
    private readonly string _location = Directory.CreateTempSubdirectory("azurite-").FullName;
    private Process? _process;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteFixture.DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{_blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{_queuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{_tablePort}/devstoreaccount1;";

    public static async Task<OwnAzurite> StartNewAsync()
    {
        var azurite = new OwnAzurite();
        await azurite.StartAsync();
        return azurite;
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "azurite"))
        {
            ArgumentList =
            {
                "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--location", _location,
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                "--blobPort", _blobPort.ToString(), "--queuePort", _queuePort.ToString(), "--tablePort", _tablePort.ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await ListensAsync(_blobPort) && await ListensAsync(_tablePort)))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"Azurite did not listen on {_blobPort}/{_tablePort}.");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGTERM, and waits for the process to exit: Azurite saves its data first.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
            return;
        Signal("TERM");
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _process = null;
    }

    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process!.Id.ToString()]);
        kill.WaitForExit();
    }

    private static async Task<bool> ListensAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            Signal("CONT");
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        Directory.Delete(_location, recursive: true);
    }
}
