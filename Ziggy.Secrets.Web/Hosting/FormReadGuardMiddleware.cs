using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// Reads a posted form before anything else does, so that a form the server cannot read is answered with one clear
/// 4xx instead of reaching antiforgery or model binding: a charset .NET refuses to decode (charset=utf-7 throws
/// NotSupportedException there, a 500), or a form over the FormOptions limits (which model binding swallows, so the page
/// ran with an empty model and answered "Enter a name" for a name that was sent). The answer never repeats the input.
/// A NUL character (%00) is not such a case: ASP.NET Core's form reader refuses the whole form for it, so it is read
/// again with the NUL kept, and model binding gives the field it is in its own message (<see cref="NulCharacterValidation"/>).
/// </summary>
public sealed class FormReadGuardMiddleware(RequestDelegate next, IOptions<FormOptions> formOptions, ILogger<FormReadGuardMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.HasFormContentType && await RefusalAsync(context) is { } refusal)
        {
            logger.LogInformation("Refused an unreadable form posted to {Path} ({Reason}).", context.Request.Path, refusal.Reason);
            context.Response.StatusCode = refusal.Status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(refusal.Message, context.RequestAborted);
            return;
        }

        await next(context);
    }

    private async Task<(int Status, string Message, string Reason)?> RefusalAsync(HttpContext context)
    {
        var urlEncoded = IsUrlEncoded(context.Request);
        // Kept in memory (never a temporary file: the form may hold secret values) so a refused form can be read again.
        if (urlEncoded) context.Request.EnableBuffering(bufferThreshold: int.MaxValue);
        try
        {
            await context.Request.ReadFormAsync(context.RequestAborted); // cached: antiforgery and model binding reuse it
            return null;
        }
        catch (NotSupportedException)
        {
            return (StatusCodes.Status415UnsupportedMediaType, "The form uses a character set this server does not accept. Send it as UTF-8.", "unsupported charset");
        }
        catch (BadHttpRequestException e)
        {
            return (e.StatusCode, "The request body could not be read (it may be too large).", $"bad request {e.StatusCode}");
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            if (urlEncoded && e is InvalidDataException && await ReadKeepingNulAsync(context.Request, formOptions.Value, context.RequestAborted) is { } form)
            {
                context.Features.Set<IFormFeature>(new FormFeature(form));
                return null;
            }

            return (StatusCodes.Status400BadRequest, "The form is too large or malformed: it has too many fields, or a field or name that is too long.", e.GetType().Name);
        }
    }

    /// <summary>
    /// The form as ASP.NET Core reads it, except that a NUL (%00) does not make the whole form unreadable: the stream-based
    /// <see cref="FormReader"/> keeps it in the value, within the same limits. Null when the body is unreadable for another
    /// reason, or has no NUL (then it was refused for something else). Public so tests can read a body the way the server does.
    /// </summary>
    public static async Task<FormCollection?> ReadKeepingNulAsync(HttpRequest request, FormOptions limits, CancellationToken cancellationToken)
    {
        if (!request.Body.CanSeek) return null;
        request.Body.Position = 0;
        var encoding = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.Encoding ?? Encoding.UTF8 : Encoding.UTF8;
        try
        {
            using var reader = new FormReader(request.Body, encoding)
            {
                ValueCountLimit = limits.ValueCountLimit,
                KeyLengthLimit = limits.KeyLengthLimit,
                ValueLengthLimit = limits.ValueLengthLimit,
            };
            var fields = await reader.ReadFormAsync(cancellationToken);
            return fields.Any(f => f.Key.Contains('\0') || f.Value.Any(v => v?.Contains('\0') == true)) ? new FormCollection(fields) : null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsUrlEncoded(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
