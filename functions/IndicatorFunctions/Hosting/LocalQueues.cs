using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Data;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// Local mode's queue triggers, as the host runs them (host.json <c>extensions.queues</c>): the queue name's
/// <c>%Setting%</c> resolved, messages taken one at a time and hidden while the function runs, deleted when it
/// succeeds, made visible again at once when it fails, and moved to <c>{queue}-poison</c> after
/// <see cref="FanOut.MaxDequeueCount"/> deliveries; an empty queue is polled again after 50 ms, backing off to
/// <see cref="MaxPollingInterval"/>. One message at a time per process, so N processes are N workers. Runs only
/// when <c>AggregationFanOut</c> is on (the only queue is its work queue), and <c>AzureWebJobs.{name}.Disabled</c>
/// turns a function off, as for timers.
/// </summary>
public sealed partial class LocalQueues(LocalQueues.Functions functions, IServiceProvider services, StorageAccount storage, IConfiguration configuration,
    IOptions<AppOptions> options, ILogger<LocalQueues> logger) : BackgroundService
{
    public sealed record Functions(IReadOnlyList<FunctionDescriptor> Queues);

    /// <summary>host.json <c>maxPollingInterval</c>.</summary>
    public static readonly TimeSpan MaxPollingInterval = TimeSpan.FromSeconds(2);

    /// <summary>Longer than an item takes here; the host renews it while a function runs, local mode does not need to.</summary>
    private static readonly TimeSpan Invisible = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(50);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.AggregationFanOut)
            return Task.CompletedTask;
        return Task.WhenAll(functions.Queues.Where(f => !LocalTimers.IsDisabled(f.Name, configuration)).Select(f => PollAsync(f, stoppingToken)));
    }

    /// <summary>The trigger's queue name with its <c>%Setting%</c> references resolved (an unset one resolves empty, as <c>StoragePrefix</c> may be).</summary>
    public static string QueueName(FunctionDescriptor function, IConfiguration configuration) =>
        SettingReference().Replace(function.Queue!.QueueName, m =>
        {
            var name = m.Groups[1].Value;
            return configuration[name] ?? "";
        });

    private async Task PollAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var queue = storage.Queues.GetQueueClient(QueueName(function, configuration));
        var poison = storage.Queues.GetQueueClient(queue.Name + "-poison");
        var wait = FirstPoll;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var received = await queue.ReceiveMessagesAsync(1, Invisible, stoppingToken);
                if (received.Value.FirstOrDefault() is { } message)
                {
                    wait = FirstPoll;
                    await HandleAsync(function, queue, poison, message, stoppingToken);
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Created by the first fanned-out run's coordinator; until then there is nothing to do.
            }
            catch (Exception ex) when (ex is RequestFailedException || StorageFailures.IsStorageFailure(ex))
            {
                logger.LogWarning(ex, "{Function}: could not read queue {Queue}", function.Name, queue.Name);
            }
            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            wait = TimeSpan.FromTicks(Math.Min(MaxPollingInterval.Ticks, wait.Ticks * 2));
        }
    }

    private async Task HandleAsync(FunctionDescriptor function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        if (message.DequeueCount > FanOut.MaxDequeueCount)
        {
            await MoveToPoisonAsync(queue, poison, message, stoppingToken);
            return;
        }
        try
        {
            await using var scope = services.CreateAsyncScope();
            await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, null, null, stoppingToken, message);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(ex, "{Function}: message {MessageId} failed (delivery {Count} of {Max})", function.Name, message.MessageId, message.DequeueCount, FanOut.MaxDequeueCount);
            if (message.DequeueCount >= FanOut.MaxDequeueCount)
                await MoveToPoisonAsync(queue, poison, message, stoppingToken);
            else
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: stoppingToken);
        }
    }

    /// <summary>As the host does: a copy into <c>{queue}-poison</c>, then the original deleted.</summary>
    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        logger.LogWarning("Message {MessageId} moved to {Poison} after {Count} deliveries", message.MessageId, poison.Name, message.DequeueCount);
    }

    [GeneratedRegex("%([A-Za-z0-9_.:]+)%")]
    private static partial Regex SettingReference();
}
