using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KafkaMigrationPortal.Engine.Storage.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ChecksUnavailable",
                table: "StepApprovals",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<Guid>(
                name: "StartedByUserId",
                table: "MigrationRuns",
                type: "TEXT",
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
