using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KafkaMigrationPortal.Engine.Storage.Migrations.Sqlite
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
                type: "TEXT",
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
