using System.Text.Json;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.Engine.Mirroring;
using KafkaMigrationPortal.Engine.Planning;
using KafkaMigrationPortal.Features.Api;
using KafkaMigrationPortal.Features.Migrations;
using KafkaMigrationPortal.Tests.Components.Migrations;

namespace KafkaMigrationPortal.Tests.Api;

/// <summary>The API's <c>mirrorEngine</c>: read from a request as a script sends it, and answered with plans and runs.</summary>
public sealed class MirrorEngineApiModelTests
{
    private static MigrationRequestBody Body(string json) => JsonSerializer.Deserialize<MigrationRequestBody>(json, ApiCalls.Json)!;

    private const string Mirror = """{"app":"mackerel","targetPlan":"heroku-kafka:extended-0","strategy":"mirror","producerProcessTypes":["producer"],"consumerProcessTypes":["consumer"]""";

    [Fact]
    public void Mirror_maker_2_is_read_into_the_request_and_no_engine_or_portal_is_the_portals_copier()
    {
        var (mm2, mm2Problem) = Body(Mirror + ""","mirrorEngine":"mirror-maker-2"}""").ToRequest(TimeSpan.FromMinutes(30));
        var (none, _) = Body(Mirror + "}").ToRequest(TimeSpan.FromMinutes(30));
        var (portal, _) = Body(Mirror + ""","mirrorEngine":"portal"}""").ToRequest(TimeSpan.FromMinutes(30));

        Assert.Null(mm2Problem);
        Assert.Equal(MirrorEngine.MirrorMaker2, mm2!.MirrorEngine);
        Assert.Equal(MirrorEngine.Portal, none!.MirrorEngine);
        Assert.Equal(MirrorEngine.Portal, portal!.MirrorEngine);
    }

    [Theory]
    [InlineData("mirrormaker2")]
    [InlineData("MirrorMaker2")]
    [InlineData("")]
    public void Any_other_engine_is_refused_naming_the_field_and_its_values(string engine)
    {
        var (request, problem) = Body(Mirror + $$""","mirrorEngine":"{{engine}}"}""").ToRequest(TimeSpan.FromMinutes(30));

        Assert.Null(request);
        Assert.Equal("'mirrorEngine' must be 'portal' (the default) or 'mirror-maker-2'.", problem);
    }

    [Fact]
    public void A_repeat_naming_the_default_engine_matches_one_that_leaves_it_out_but_not_one_asking_for_MirrorMaker_2()
    {
        var none = Body(Mirror + "}").Fingerprint();

        Assert.Equal(none, Body(Mirror + ""","mirrorEngine":"portal"}""").Fingerprint());
        Assert.NotEqual(none, Body(Mirror + ""","mirrorEngine":"mirror-maker-2"}""").Fingerprint());
    }

    [Fact]
    public void A_MirrorMaker_2_plan_and_its_run_answer_the_engine_and_the_configuration_to_run_it_with()
    {
        var plan = Runs.DedicatedMirrorPlan(MirrorEngine.MirrorMaker2);
        var config = MirrorMaker2Config.For(plan);

        var planned = ApiPlan.Of(plan.App, new PlanPreview(plan, [], []));
        var run = ApiRun.Of(Runs.At(plan, 0, RunStepStatus.Running), "\"etag\"", DateTimeOffset.UtcNow);

        foreach (var (engine, mm2) in new[] { (planned.MirrorEngine, planned.MirrorMaker2), (run.MirrorEngine, run.MirrorMaker2) })
        {
            Assert.Equal("mirror-maker-2", engine);
            Assert.Equal(config.Properties, mm2!.Properties);
            Assert.Equal(config.TopicsToCreate.Select(t => t.Name), mm2.TopicsToCreate);
        }

        Assert.Contains("\"mirrorEngine\":\"mirror-maker-2\"", JsonSerializer.Serialize(planned, ApiCalls.Json));
    }

    [Fact]
    public void A_mirror_the_portal_copies_answers_portal_without_a_configuration_and_other_strategies_no_engine()
    {
        var portal = ApiPlan.Of("mackerel", new PlanPreview(Runs.DedicatedMirrorPlan(MirrorEngine.Portal), [], []));
        var doubleWrite = ApiRun.Of(Runs.At(Runs.DoubleWritePlan(), 0, RunStepStatus.Running), "\"etag\"", DateTimeOffset.UtcNow);

        Assert.Equal(("portal", (ApiMirrorMaker2?)null), (portal.MirrorEngine, portal.MirrorMaker2));
        Assert.Equal((null, (ApiMirrorMaker2?)null), (doubleWrite.MirrorEngine, doubleWrite.MirrorMaker2));
    }
}
