namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// Reads a posted form before anything else does, so that a form the server cannot read is answered with one clear
/// 4xx instead of reaching antiforgery or model binding: a charset .NET refuses to decode (charset=utf-7 throws
/// NotSupportedException there, a 500), or a form over the FormOptions limits (which model binding swallows, so the page
/// ran with an empty model and answered "Enter a name" for a name that was sent). The answer never repeats the input.
/// </summary>
public sealed class FormReadGuardMiddleware(RequestDelegate next, ILogger<FormReadGuardMiddleware> logger)
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

    private static async Task<(int Status, string Message, string Reason)?> RefusalAsync(HttpContext context)
    {
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
            return (StatusCodes.Status400BadRequest, "The form is too large or malformed: it has too many fields, or a field or name that is too long.", e.GetType().Name);
        }
    }
}
