using System.Text.Json;
using KafkaMigrationPortal.Engine.Planning;

namespace KafkaMigrationPortal.Engine.Execution;

/// <summary>How plans, step actions and check state are stored in the run's rows.</summary>
public static class PlanSerialization
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Serialize(MigrationPlan plan) => JsonSerializer.Serialize(plan, Json);

    public static MigrationPlan DeserializePlan(string json) =>
        JsonSerializer.Deserialize<MigrationPlan>(json, Json) ?? throw new InvalidOperationException("The run's plan is empty.");

    public static string Serialize(StepAction action) => JsonSerializer.Serialize(action, Json);

    public static StepAction DeserializeAction(string json) =>
        JsonSerializer.Deserialize<StepAction>(json, Json) ?? throw new InvalidOperationException("A step's action is empty.");

    public static string SerializeValue<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T? DeserializeValue<T>(string? json) => json is null ? default : JsonSerializer.Deserialize<T>(json, Json);
}
