namespace KafkaMigrationPortal.Engine;

/// <summary>
/// Stable names for why a service refused a command or a read, carried beside the message a person reads
/// (<see cref="QueryResult{T}.ErrorCode"/>, <c>RunCommandResult.Refusal</c>). Pages show the message; the API turns the
/// name into a problem type. Renaming one breaks scripts that key on it.
/// </summary>
public static class Refusals
{
    public const string NotAMember = "not-a-member";
    public const string RoleRequired = "role-required";
    public const string SelfApproval = "self-approval";
    public const string HerokuGrantNeeded = "heroku-grant-needed";
    public const string NoAppAccess = "no-app-access";
    public const string RunNotFound = "run-not-found";
    public const string StepNotAwaitingApproval = "step-not-awaiting-approval";
    public const string StepNotAwaitingConfirmation = "step-not-awaiting-confirmation";
    public const string LiveChecksFailed = "live-checks-failed";
    public const string RunBusy = "run-busy";
    public const string RunNotActive = "run-not-active";
    public const string RunNotResumable = "run-not-resumable";
    public const string PastPointOfNoReturn = "past-point-of-no-return";
    public const string AnotherRunActive = "another-run-active";
    public const string PlanRefused = "plan-refused";
    public const string PlanChanged = "plan-changed";
    public const string InvalidRequest = "invalid-request";
    public const string HerokuUnavailable = "heroku-unavailable";
    public const string Unavailable = "unavailable";
}
