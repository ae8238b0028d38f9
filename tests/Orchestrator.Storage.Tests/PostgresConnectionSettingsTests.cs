using System.Data.Common;
using Orchestrator.Storage.Postgres;

namespace Orchestrator.Storage.Tests;

/// <summary>The store's PostgreSQL connections keep the statements they repeat prepared, unless the connection string
/// says otherwise (a PgBouncer in transaction mode cannot keep them).</summary>
public sealed class PostgresConnectionSettingsTests
{
    private const string Probe = "SELECT 40 + @n AS prepared_probe";

    [Fact]
    public async Task ARepeatedStatement_IsPreparedOnItsConnection_ByDefault()
    {
        Assert.True(await PreparedAfterRepeatsAsync(PostgresBackend.ConnectionString));
    }

    [Theory]
    [InlineData("Max Auto Prepare=0")]
    [InlineData("maxautoprepare=0")]
    public async Task AConnectionStringThatSetsAutoPrepare_Wins(string setting)
    {
        Assert.False(await PreparedAfterRepeatsAsync($"{PostgresBackend.ConnectionString};{setting}"));
    }

    private static async Task<bool> PreparedAfterRepeatsAsync(string connectionString)
    {
        await using var database = new PostgresDatabase(connectionString, $"test_{Guid.NewGuid():N}");
        await using var connection = await database.OpenAsync(default);
        for (var i = 0; i < 8; i++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Probe;
            AddParameter(command, "n", i);
            Assert.Equal(40 + i, Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }

        await using var check = connection.CreateCommand();
        check.CommandText = "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE '%prepared_probe%'";
        return Convert.ToInt64(await check.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static void AddParameter(DbCommand command, string name, int value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
