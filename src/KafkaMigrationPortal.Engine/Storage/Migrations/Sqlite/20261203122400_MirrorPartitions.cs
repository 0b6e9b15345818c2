using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KafkaMigrationPortal.Engine.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MirrorPartitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "MirrorStartedAt",
                table: "MigrationRuns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MirrorStoppedAt",
                table: "MigrationRuns",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MirrorPartitions",
                columns: table => new
                {
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 249, nullable: false),
                    Partition = table.Column<int>(type: "INTEGER", nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CopiedOffset = table.Column<long>(type: "INTEGER", nullable: false),
                    SourceEnd = table.Column<long>(type: "INTEGER", nullable: true),
                    RecordsPerSecond = table.Column<double>(type: "REAL", nullable: false),
                    ProgressAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MirrorPartitions", x => new { x.RunId, x.Topic, x.Partition });
                });

            migrationBuilder.CreateTable(
                name: "MirrorSyncPoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Topic = table.Column<string>(type: "TEXT", maxLength: 249, nullable: false),
                    Partition = table.Column<int>(type: "INTEGER", nullable: false),
                    SourceOffset = table.Column<long>(type: "INTEGER", nullable: false),
                    TargetOffset = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MirrorSyncPoints", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MirrorSyncPoints_RunId_Topic_Partition_SourceOffset",
                table: "MirrorSyncPoints",
                columns: new[] { "RunId", "Topic", "Partition", "SourceOffset" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MirrorPartitions");

            migrationBuilder.DropTable(
                name: "MirrorSyncPoints");

            migrationBuilder.DropColumn(
                name: "MirrorStartedAt",
                table: "MigrationRuns");

            migrationBuilder.DropColumn(
                name: "MirrorStoppedAt",
                table: "MigrationRuns");
        }
    }
}
