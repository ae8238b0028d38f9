using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Masking;
using Orchestrator.Secrets.Services;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>Variables and Connections as the admin pages and <c>/api/v1/variables|connections</c> list them: never a
/// secret in clear. The admin role is checked by the caller.</summary>
public interface ISecretListQueries
{
    /// <summary>Variables by name, every value as <c>***</c> (values are never opened).</summary>
    Task<Page<VariableView>> ListVariablesAsync(PageRequest page, CancellationToken cancellationToken);

    /// <summary>Connections by name: where each points, its password and extra values as <c>***</c>.</summary>
    Task<Page<ConnectionView>> ListConnectionsAsync(PageRequest page, CancellationToken cancellationToken);
}

internal sealed class SecretListQueries(VariableService variables, ConnectionService connections) : ISecretListQueries
{
    private const string Masked = SecretMasker.Replacement;

    public async Task<Page<VariableView>> ListVariablesAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var all = (await variables.ListAsync(cancellationToken)).OrderBy(variable => variable.Name, StringComparer.Ordinal).ToList();
        return page.Of<VariableView>([.. all.Select(variable => new VariableView(variable.Name, Masked, variable.UpdatedAt))]);
    }

    public async Task<Page<ConnectionView>> ListConnectionsAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var all = (await connections.ListAsync(cancellationToken)).OrderBy(connection => connection.Name, StringComparer.Ordinal).ToList();
        var items = new List<ConnectionView>();
        // Only the page's Connections are opened: opening needs the key and is not free.
        foreach (var record in all.Skip(page.Offset).Take(page.Limit))
        {
            try
            {
                var values = connections.Open(record);
                items.Add(new ConnectionView(record.Name, record.Type, values.Host, values.Port, values.Login, values.Schema,
                    values.Password is null ? null : Masked,
                    (values.Extra ?? new Dictionary<string, string>()).ToDictionary(pair => pair.Key, _ => Masked, StringComparer.Ordinal),
                    record.UpdatedAt));
            }
            catch (SecretDecryptionException)
            {
                items.Add(new ConnectionView(record.Name, record.Type, null, null, null, null, null, new Dictionary<string, string>(), record.UpdatedAt,
                    "sealed with another secret key: set the key it was written with to read it"));
            }
        }

        return new Page<ConnectionView>(items, all.Count, page.Offset, page.Limit);
    }
}
