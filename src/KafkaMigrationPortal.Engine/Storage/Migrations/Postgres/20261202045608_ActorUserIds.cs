using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KafkaMigrationPortal.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ActorUserIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ApproverUserId",
                table: "StepApprovals",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ChecksUnavailable",
                table: "StepApprovals",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<Guid>(
                name: "StartedByUserId",
                table: "MigrationRuns",
                type: "uuid",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ApproverUserId",
                table: "StepApprovals");

            migrationBuilder.DropColumn(
                name: "ChecksUnavailable",
                table: "StepApprovals");

            migrationBuilder.DropColumn(
                name: "StartedByUserId",
                table: "MigrationRuns");
        }
    }
}
