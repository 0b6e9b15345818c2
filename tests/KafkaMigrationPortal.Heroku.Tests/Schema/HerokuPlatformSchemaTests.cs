using System.Text.Json.Nodes;
using KafkaMigrationPortal.TestSupport.HerokuSchema;

namespace KafkaMigrationPortal.Heroku.Tests.Schema;

/// <summary>The validator itself must be able to fail, or every contract test built on it proves nothing.</summary>
public sealed class HerokuPlatformSchemaTests
{
    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    [Fact]
    public void Accepts_a_request_body_the_link_schema_allows()
    {
        Assert.Empty(HerokuPlatformSchema.ValidateRequest("PATCH", "/apps/my-app", Json("""{"maintenance": true}""")));
    }

    [Fact]
    public void Rejects_a_request_body_of_the_wrong_type_naming_the_property()
    {
        var errors = HerokuPlatformSchema.ValidateRequest("PATCH", "/apps/my-app", Json("""{"maintenance": "on"}"""));

        Assert.Contains(errors, e => e.Contains("/maintenance") && e.Contains("boolean"));
    }

    [Fact]
    public void Rejects_a_request_missing_a_property_the_schema_requires()
    {
        // POST /apps/{app}/addons declares "plan" required.
        var errors = HerokuPlatformSchema.ValidateRequest("POST", "/apps/my-app/addons", Json("""{"attachment": {"name": "NEW_KAFKA"}}"""));

        Assert.Contains(errors, e => e.Contains("plan"));
    }

    [Fact]
    public void Validates_path_parameters_against_the_identity_schema()
    {
        Assert.Empty(HerokuPlatformSchema.ValidateRequest("GET", "/apps/my-app", null));
        Assert.Empty(HerokuPlatformSchema.ValidateRequest("GET", "/apps/01234567-89ab-cdef-0123-456789abcdef", null));
        Assert.NotEmpty(HerokuPlatformSchema.ValidateRequest("GET", "/apps/Not_An_App_Name", null));
    }

    [Fact]
    public void Unknown_paths_and_methods_are_errors()
    {
        Assert.Contains("declares no such link", Assert.Single(HerokuPlatformSchema.ValidateRequest("GET", "/no-such-resource", null)));
        Assert.NotEmpty(HerokuPlatformSchema.ValidateRequest("PUT", "/apps/my-app", Json("{}")));
        Assert.NotEmpty(HerokuPlatformSchema.ValidateResponse("POST", "/account/rate-limits", Json("""{"remaining": 1}""")));
    }

    [Fact]
    public void A_body_sent_to_a_link_that_takes_none_is_an_error()
    {
        Assert.NotEmpty(HerokuPlatformSchema.ValidateRequest("DELETE", "/addon-attachments/01234567-89ab-cdef-0123-456789abcdef", Json("{}")));
    }

    [Fact]
    public void Config_var_patch_accepts_null_to_delete_and_rejects_non_string_values()
    {
        Assert.Empty(HerokuPlatformSchema.ValidateRequest("PATCH", "/apps/my-app/config-vars", Json("""{"KAFKA_URL": null, "FOO": "bar"}""")));
        Assert.NotEmpty(HerokuPlatformSchema.ValidateRequest("PATCH", "/apps/my-app/config-vars", Json("""{"FOO": 42}""")));
    }

    [Fact]
    public void Responses_require_every_declared_property_so_an_empty_object_fails()
    {
        Assert.Empty(HerokuPlatformSchema.ValidateResponse("GET", "/account/rate-limits", Json("""{"remaining": 4500}""")));

        var errors = HerokuPlatformSchema.ValidateResponse("GET", "/account/rate-limits", Json("{}"));

        Assert.Contains(errors, e => e.Contains("remaining") && e.Contains("required"));
    }

    [Fact]
    public void Nested_objects_in_responses_also_require_their_declared_properties()
    {
        var errors = HerokuPlatformSchema.ValidateResponse("GET", "/apps/my-app/addon-attachments", Json("""
            [{"addon": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "kafka-flat-12345"},
              "app": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "my-app"},
              "created_at": "2024-01-01T12:00:00Z", "id": "01234567-89ab-cdef-0123-456789abcdef", "name": "KAFKA",
              "namespace": null, "updated_at": "2024-01-01T12:00:00Z", "web_url": null, "log_input_url": null}]
            """));

        // addon.app is declared inside the attachment's addon object; leaving it out must be caught.
        Assert.Contains(errors, e => e.Contains("/0/addon") && e.Contains("app"));
    }

    [Fact]
    public void Nulls_pass_where_the_type_allows_null_and_fail_where_it_does_not()
    {
        const string attachment = """
            {"addon": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "kafka-flat-12345",
                       "app": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "my-app"}},
             "app": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "my-app"},
             "created_at": "2024-01-01T12:00:00Z", "id": "01234567-89ab-cdef-0123-456789abcdef", "name": "KAFKA",
             "namespace": null, "updated_at": "2024-01-01T12:00:00Z", "web_url": null, "log_input_url": null}
            """;
        Assert.Empty(HerokuPlatformSchema.ValidateResponse("GET", "/addon-attachments/01234567-89ab-cdef-0123-456789abcdef", Json(attachment)));

        var nullName = Json(attachment);
        nullName["name"] = null;
        Assert.Contains(HerokuPlatformSchema.ValidateResponse("GET", "/addon-attachments/01234567-89ab-cdef-0123-456789abcdef", nullName),
            e => e.Contains("/name"));
    }

    [Fact]
    public void Formats_are_asserted()
    {
        var errors = HerokuPlatformSchema.ValidateResponse("GET", "/account/rate-limits", Json("""{"remaining": "many"}"""));
        Assert.NotEmpty(errors);

        var attachment = Json("""
            {"addon": {"id": "not-a-uuid", "name": "kafka-flat-12345",
                       "app": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "my-app"}},
             "app": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "my-app"},
             "created_at": "yesterday", "id": "01234567-89ab-cdef-0123-456789abcdef", "name": "KAFKA",
             "namespace": null, "updated_at": "2024-01-01T12:00:00Z", "web_url": null, "log_input_url": null}
            """);
        var attachmentErrors = HerokuPlatformSchema.ValidateResponse("GET", "/addon-attachments/01234567-89ab-cdef-0123-456789abcdef", attachment);
        Assert.Contains(attachmentErrors, e => e.Contains("/addon/id") && e.Contains("uuid"));
        Assert.Contains(attachmentErrors, e => e.Contains("/created_at") && e.Contains("date-time"));
    }

    [Fact]
    public void A_literal_path_segment_wins_over_a_parameter()
    {
        // /account/rate-limits must not be taken for some /account/{x} link: its target is {remaining}.
        Assert.Empty(HerokuPlatformSchema.ValidateResponse("GET", "/account/rate-limits?ignored=1", Json("""{"remaining": 1}""")));
    }
}
