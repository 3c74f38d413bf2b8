using System.Globalization;

namespace IndicatorFunctions.Bench;

public static class ProcessCpu
{
    /// <summary>User + system CPU of a process from /proc/{pid}/stat (fields 14 and 15, in clock ticks of 1/100 s); 0 when unknown.</summary>
    public static double Seconds(int pid)
    {
        if (pid <= 0 || !File.Exists($"/proc/{pid}/stat"))
            return 0;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
