using System.Security.Cryptography;
using System.Text;

namespace WideMinima.Dashboard;

/// <summary>Compares a presented token with the dashboard's in constant time (of the token's length, which it hides by hashing first).</summary>
public sealed class TokenCheck
{
    private readonly byte[] _expected;

    /// <summary>Checks against <paramref name="token"/>.</summary>
    public TokenCheck(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>True when <paramref name="presented"/> is the token.</summary>
    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
