using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KafkaMigrationPortal.Engine.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class GrantedScope : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "GrantedScope",
                table: "UserAccount",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "GrantedScope",
                table: "UserAccount");
        }
    }
}
