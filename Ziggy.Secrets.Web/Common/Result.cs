namespace Ziggy.Secrets.Web.Common;

/// <summary>What a domain operation came to. Expected outcomes are values, never exceptions.</summary>
public enum Outcome
{
    Ok,
    NotFound,
    Invalid,
    Conflict,
}

/// <summary>A message meant for one input field ("" for the form as a whole).</summary>
public sealed record FieldError(string Field, string Message);

public sealed record Result<T>(Outcome Outcome, T? Value, IReadOnlyList<FieldError> Errors)
{
    public bool IsOk => Outcome == Outcome.Ok;

    public static Result<T> Ok(T value) => new(Outcome.Ok, value, []);

    public static Result<T> NotFound() => new(Outcome.NotFound, default, []);

    public static Result<T> Invalid(string field, string message) => new(Outcome.Invalid, default, [new(field, message)]);

    public static Result<T> Invalid(IReadOnlyList<FieldError> errors) => new(Outcome.Invalid, default, errors);

    public static Result<T> Conflict(string message) => new(Outcome.Conflict, default, [new("", message)]);

    /// <summary>The same refusal for another result type (only for results that are not Ok).</summary>
    public Result<TOther> As<TOther>() =>
        IsOk ? throw new InvalidOperationException("An Ok result carries a value; it cannot be passed on as another type.") : new(Outcome, default, Errors);
}
