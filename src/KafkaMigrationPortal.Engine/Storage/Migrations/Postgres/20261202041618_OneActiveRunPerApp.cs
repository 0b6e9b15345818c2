using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KafkaMigrationPortal.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OneActiveRunPerApp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_MigrationRuns_App_Active",
                table: "MigrationRuns",
                column: "App",
                unique: true,
                filter: "\"Status\" IN ('Planned', 'Running', 'Waiting', 'AwaitingApproval', 'Paused')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MigrationRuns_App_Active",
                table: "MigrationRuns");
        }
    }
}
