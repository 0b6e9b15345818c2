using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using KafkaMigrationPortal.Engine.Execution;
using KafkaMigrationPortal.TestSupport.Time;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Hangfire.Storage;
using KafkaMigrationPortal.TestSupport;

namespace KafkaMigrationPortal.Tests.Execution;

public sealed class ExecutionStartupTests
{
    [Fact]
    public async Task A_recurring_job_lock_left_by_a_killed_process_delays_the_registration_and_never_fails_the_start()
    {
        var time = new RecordingFakeTime(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        var recurring = new LockedRecurringJobs(timeoutsBeforeSuccess: 2);
        var jobs = new CountingJobClient();
        var startup = new ExecutionStartup(recurring, jobs, Options.Create(new ExecutionOptions()), time, NullLogger<ExecutionStartup>.Instance);

        await startup.StartAsync(CancellationToken.None);

        // The reconciler runs once at once; the registration waits out the lock, one retry delay at a time.
        var first = await time.WaitsStartedAsync(w => w == ExecutionStartup.RegistrationRetryDelay);
        Assert.Equal(1, jobs.Created);
        Assert.Equal((1, 0), (recurring.Attempts, recurring.Registered));
        time.Advance(first[0]);
        await time.WaitsStartedAsync(w => w == ExecutionStartup.RegistrationRetryDelay, count: 2);
        Assert.Equal((2, 0), (recurring.Attempts, recurring.Registered));
        time.Advance(ExecutionStartup.RegistrationRetryDelay);

        await Deadline.PollAsync(() => Task.FromResult(recurring.Registered == 1), TimeSpan.FromSeconds(30), "the reconciler is registered");
        Assert.Equal(3, recurring.Attempts);
        Assert.Equal(RunReconciler.RecurringJobId, recurring.LastId);
        await startup.StopAsync(CancellationToken.None);
    }

    private sealed class LockedRecurringJobs(int timeoutsBeforeSuccess) : IRecurringJobManager
    {
        public int Attempts { get; private set; }

        public int Registered { get; private set; }

        public string? LastId { get; private set; }

        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options)
        {
            Attempts++;
            if (Attempts <= timeoutsBeforeSuccess)
            {
                throw new DistributedLockTimeoutException($"recurring-job:{recurringJobId}");
            }

            (LastId, Registered) = (recurringJobId, Registered + 1);
        }

        public void Trigger(string recurringJobId) => throw new NotSupportedException();

        public void RemoveIfExists(string recurringJobId) => throw new NotSupportedException();
    }

    private sealed class CountingJobClient : IBackgroundJobClient
    {
        public int Created { get; private set; }

        public string Create(Job job, IState state)
        {
            Created++;
            return Created.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => throw new NotSupportedException();
    }
}
