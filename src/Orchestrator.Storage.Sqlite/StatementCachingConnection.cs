using System.Data;
using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>A SQLite connection that keeps the compiled statements of each SQL text it runs, and that a
/// <see cref="SqliteDatabase"/> keeps open between uses. Microsoft.Data.Sqlite compiles a command's SQL again for every
/// new command object (Dapper makes one per call), and compiling — parsing, planning, coding the state-history trigger
/// into every UPDATE — cost more than running the statements on the engine's hot path. Here a command runs through the
/// connection's own prepared command for its text, so each text is compiled once per connection.
/// <para>Disposing or closing the connection hands it back to its database's idle connections instead of closing it
/// (at most <see cref="SqliteDatabase.MaxIdleConnections"/> stay open); callers use it exactly as a plain connection.</para></summary>
internal sealed class StatementCachingConnection : SqliteConnection
{
    /// <summary>SQL texts kept per connection; on overflow all are dropped (texts built per call, such as IN lists of
    /// varying length, must not grow it without bound).</summary>
    internal const int MaxStatements = 128;

    private readonly Dictionary<string, PreparedCommand> _statements = new(StringComparer.Ordinal);
    private readonly Action<StatementCachingConnection> _handBack;
    private bool _leased;
    private bool _closing;

    public StatementCachingConnection(string connectionString, Action<StatementCachingConnection> handBack)
        : base(connectionString) => _handBack = handBack;

    /// <summary>Compiled SQL texts held now (for tests).</summary>
    internal int StatementCount => _statements.Count;

    /// <summary>Marks the connection as in use by a caller of <see cref="SqliteDatabase.OpenAsync"/>.</summary>
    internal void Lease() => _leased = true;

    public override SqliteCommand CreateCommand() =>
        new RoutedCommand(this) { Connection = this, CommandTimeout = DefaultTimeout, Transaction = Transaction };

    /// <summary>Back to the idle connections, unless it cannot be reused as it is (see <see cref="CanBeReused"/>).</summary>
    public override void Close()
    {
        if (_closing || !_leased)
        {
            return;
        }

        _leased = false;
        Transaction?.Dispose(); // a transaction left open is rolled back, as closing would
        if (State == ConnectionState.Open && CanBeReused())
        {
            _handBack(this);
            return;
        }

        CloseForGood();
    }

    /// <summary>Really closes it: its compiled statements are released and SQLite's handle goes back to
    /// Microsoft.Data.Sqlite's pool.</summary>
    internal void CloseForGood()
    {
        _closing = true;
        _leased = false;
        DropStatements();
        base.Close();
        base.Dispose(true);
    }

    // Disposing hands the connection back (Close); base.Dispose runs in CloseForGood, when it is really closed.
#pragma warning disable CA2215
    protected override void Dispose(bool disposing)
#pragma warning restore CA2215
    {
        if (disposing)
        {
            Close();
        }
    }

    // A reader still open on a kept command would hold SQLite's read snapshot: such a connection is closed instead.
    private bool CanBeReused() => Transaction is null && _statements.Values.All(command => !command.Busy);

    /// <summary>The kept command for <paramref name="sql"/>, or null when it must run on its own (its kept command is
    /// busy with an open reader).</summary>
    internal PreparedCommand? Rent(string sql)
    {
        if (_statements.TryGetValue(sql, out var command))
        {
            return command.Busy ? null : command;
        }

        if (_statements.Count >= MaxStatements)
        {
            DropStatements();
        }

        command = new PreparedCommand(sql, this);
        _statements.Add(sql, command);
        return command;
    }

    /// <summary>Drops a kept command after a failure: its statements are compiled again on next use.</summary>
    internal void Evict(string sql)
    {
        if (_statements.Remove(sql, out var command))
        {
            command.Dispose();
        }
    }

    private void DropStatements()
    {
        foreach (var command in _statements.Values)
        {
            command.Dispose();
        }

        _statements.Clear();
    }

    /// <summary>A connection's kept command for one SQL text: compiled on first use, reset and bound anew after.</summary>
    internal sealed class PreparedCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
    {
        // Parameter names as the SQL writes them ("@runId"), by bare name ("runId", as Dapper names them).
        private Dictionary<string, string>? _written;

        /// <summary>A reader of its last execution is still open.</summary>
        public bool Busy => DataReader is not null;

        /// <summary>Gives each bare-named parameter the name the SQL writes: Microsoft.Data.Sqlite otherwise looks a
        /// bare name up four times per execution (as is, then with ':', '@' and '$'), each a UTF-8 conversion and a
        /// search of the statement's names.</summary>
        public void NameAsWritten(SqliteParameterCollection parameters)
        {
            _written ??= WrittenNames(CommandText, Connection!.Handle!);
            foreach (SqliteParameter parameter in parameters)
            {
                if (_written.TryGetValue(parameter.ParameterName, out var written))
                {
                    parameter.ParameterName = written;
                }
            }
        }

        private static Dictionary<string, string> WrittenNames(string sql, SQLitePCL.sqlite3 handle)
        {
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            var rest = sql;
            while (!string.IsNullOrWhiteSpace(rest))
            {
                if (SQLitePCL.raw.sqlite3_prepare_v2(handle, rest, out var statement, out var tail) != SQLitePCL.raw.SQLITE_OK)
                {
                    names.Clear(); // the execution reports the error; bind as Microsoft.Data.Sqlite would
                    break;
                }

                using (statement)
                {
                    for (var i = 1; !statement.IsInvalid && i <= SQLitePCL.raw.sqlite3_bind_parameter_count(statement); i++)
                    {
                        var name = SQLitePCL.raw.sqlite3_bind_parameter_name(statement, i).utf8_to_string();
                        if (name is { Length: > 1 })
                        {
                            names.TryAdd(name[1..], name);
                        }
                    }
                }

                rest = tail;
            }

            return names;
        }
    }

    /// <summary>The command callers (Dapper) get: it collects text, transaction and parameters as any command does,
    /// and runs on the connection's kept command for its text.</summary>
    private sealed class RoutedCommand(StatementCachingConnection owner) : SqliteCommand
    {
        public override SqliteDataReader ExecuteReader(CommandBehavior behavior)
        {
            if (Connection != owner || owner.State != ConnectionState.Open || owner.Rent(CommandText) is not { } prepared)
            {
                return base.ExecuteReader(behavior);
            }

            prepared.Transaction = Transaction;
            prepared.CommandTimeout = CommandTimeout;
            prepared.Parameters.Clear();
            foreach (SqliteParameter parameter in Parameters)
            {
                prepared.Parameters.Add(parameter);
            }

            prepared.NameAsWritten(prepared.Parameters);

            try
            {
                return prepared.ExecuteReader(behavior);
            }
            catch
            {
                owner.Evict(CommandText);
                throw;
            }
        }
    }
}
