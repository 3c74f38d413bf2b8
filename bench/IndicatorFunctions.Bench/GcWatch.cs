using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using System.Diagnostics.Tracing;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The app's managed heap as its garbage collector reports it, over EventPipe (the runtime's GC events, as
/// dotnet-trace would collect them): after every collection what it kept, so what a gen-2 collection kept — it looks
/// at every object — is the memory the run actually holds. Peak RSS
/// also counts garbage the collector has not yet had reason to collect (the workstation GC on a machine with
/// plenty of memory grows gen 2 and keeps what it committed), so it grows with how long a run allocates; the heap
/// after a full collection grows only with what the run keeps.
/// </summary>
public sealed class GcWatch : IAsyncDisposable
{
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Task _processing;
    private int _lastDepth = -1;

    private GcWatch(EventPipeSession session)
    {
        _session = session;
        _source = new EventPipeEventSource(session.EventStream);
        _source.Clr.GCStop += e => _lastDepth = e.Depth;
        _source.Clr.GCHeapStats += e =>
        {
            Collections++;
            if (_lastDepth == 2)
            {
                // A gen-2 collection looks at every object, so what it kept (promoted, LOH and POH included) is what
                // was still referenced; the generations' sizes also count their free space.
                FullCollections++;
                var live = e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2 + e.TotalPromotedSize3 + e.TotalPromotedSize4;
                PeakAfterFull = Math.Max(PeakAfterFull, live);
            }
        };
        _processing = Task.Run(_source.Process);
    }

    /// <summary>Collections seen, and the gen-2 ones among them.</summary>
    public int Collections { get; private set; }

    public int FullCollections { get; private set; }

    /// <summary>The most a gen-2 collection kept (all generations, large and pinned objects included): live data.</summary>
    public long PeakAfterFull { get; private set; }

    /// <summary>Watches process <paramref name="pid"/>, or returns null when the runtime's diagnostics port cannot be reached.</summary>
    public static GcWatch? TryStart(int pid)
    {
        if (pid <= 0)
            return null;
        try
        {
            var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC);
            return new GcWatch(new DiagnosticsClient(pid).StartEventPipeSession(provider, requestRundown: false));
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException)
        {
            Console.Error.WriteLine($"GC events of process {pid} unavailable: {ex.Message}");
            return null;
        }
    }

    /// <summary>Ends the session and waits until every event sent so far has been counted.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _session.StopAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException)
        {
            // The app exited: the stream ends by itself.
        }
        await _processing;
        _source.Dispose();
        _session.Dispose();
    }
}
