using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace KafkaMigrationPortal.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MirrorPartitions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "MirrorStartedAt",
                table: "MigrationRuns",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "MirrorStoppedAt",
                table: "MigrationRuns",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MirrorPartitions",
                columns: table => new
                {
                    RunId = table.Column<Guid>(type: "uuid", nullable: false),
                    Topic = table.Column<string>(type: "character varying(249)", maxLength: 249, nullable: false),
                    Partition = table.Column<int>(type: "integer", nullable: false),
                    Owner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CopiedOffset = table.Column<long>(type: "bigint", nullable: false),
                    SourceEnd = table.Column<long>(type: "bigint", nullable: true),
                    RecordsPerSecond = table.Column<double>(type: "double precision", nullable: false),
                    ProgressAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MirrorPartitions", x => new { x.RunId, x.Topic, x.Partition });
                });

            migrationBuilder.CreateTable(
                name: "MirrorSyncPoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RunId = table.Column<Guid>(type: "uuid", nullable: false),
                    Topic = table.Column<string>(type: "character varying(249)", maxLength: 249, nullable: false),
                    Partition = table.Column<int>(type: "integer", nullable: false),
                    SourceOffset = table.Column<long>(type: "bigint", nullable: false),
                    TargetOffset = table.Column<long>(type: "bigint", nullable: false)
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
