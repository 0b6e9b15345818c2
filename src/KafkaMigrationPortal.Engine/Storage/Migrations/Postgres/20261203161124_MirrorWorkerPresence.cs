using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KafkaMigrationPortal.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MirrorWorkerPresence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MirrorWorkers",
                columns: table => new
                {
                    Owner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    SeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MirrorWorkers", x => x.Owner);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MirrorWorkers");
        }
    }
}
