using System.Net.Http.Json;
using System.Text.Json;
using IndicatorFunctions.Samples;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>A synthetic data set through the HTTP API, as a user would load it: catalog, then observations in bodies of 2,000.</summary>
public static class SyntheticLoad
{
    public static async Task LoadAsync(HttpClient admin, SyntheticData data)
    {
        foreach (var (path, body) in data.Indicators.Select(i => ($"/api/indicators/{i.Id}", (object)i))
                     .Concat(data.Districts.Select(d => ($"/api/districts/{d.Id}", (object)d)))
                     .Concat(data.Clusters.Select(c => ($"/api/clusters/{c.Id}", (object)c))))
        {
            using var response = await admin.PutAsync(path, JsonContent.Create(body, body.GetType(), options: Json.Options));
            Assert.True(response.IsSuccessStatusCode, $"PUT {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        foreach (var rows in data.Observations().Chunk(2000))
        {
            using var content = new ByteArrayContent(SyntheticData.ToJsonBody(rows));
            content.Headers.ContentType = new("application/json");
            using var response = await admin.PostAsync("/api/observations", content);
            var reply = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode && reply.GetProperty("rejected").GetInt32() == 0, $"ingest answered {(int)response.StatusCode}: {reply}");
        }
    }
}
