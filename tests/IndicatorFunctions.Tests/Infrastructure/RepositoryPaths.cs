namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>Finds this repository's files (scripts, built app) from the test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IndicatorFunctions.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No IndicatorFunctions.sln above {AppContext.BaseDirectory}.");
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
