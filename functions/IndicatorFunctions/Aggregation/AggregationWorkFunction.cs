using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.Aggregation;

/// <summary>
/// The workers of a fanned-out full run (<see cref="FanOut"/>): one queue message, one indicator of one run. On Azure
/// the host runs this on as many instances as the queue's length calls for; local mode's queue poller
/// (<see cref="Hosting.LocalQueues"/>) runs the same class. A message that is not a work item is logged and dropped
/// (retrying cannot mend it); a failure is thrown, so the message is delivered again, up to
/// <see cref="FanOut.MaxDequeueCount"/> times, then goes to the poison queue.
/// </summary>
public sealed class AggregationWorkFunction(FanOut fanOut, ILogger<AggregationWorkFunction> logger)
{
    public const string Name = "AggregationWork";

    [Function(Name)]
    public async Task RunAsync([QueueTrigger(FanOut.TriggerQueue)] QueueMessage message, CancellationToken cancellationToken)
    {
        if (!FanOut.TryParse(message.Body, out var work))
        {
            logger.LogWarning("{Function}: message {MessageId} is not a work item; dropped", Name, message.MessageId);
            return;
        }
        await fanOut.ProcessAsync(work, message.DequeueCount, cancellationToken);
    }
}
