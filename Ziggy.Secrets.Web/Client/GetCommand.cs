using System.Text;
using Ziggy.Secrets.Web.Operations;

namespace Ziggy.Secrets.Web.Client;

/// <summary><c>get NAME</c>: one value on standard output, exactly as stored (no newline added).</summary>
public static class GetCommand
{
    public static async Task<int> RunAsync(ZiggyCommand command, Func<string, string?> environment, Stream output, TextWriter error)
    {
        var name = command.Arguments[0];
        var (client, failure) = ClientRequest.Open(command, environment);
        if (failure is not null) return failure.Report(error);
        using (client)
        {
            var answer = await client!.GetOneAsync(name);
            if (answer.Failure is not null) return answer.Failure.Report(error);
            // The API answers { "NAME": "value" }; a server that names it differently (case) is still answering this request.
            if (answer.Values!.Count != 1)
                return new ClientFailure(ExitCodes.ServerError, $"The server answered {answer.Values.Count} entries for {name}, not one.").Report(error);
            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(answer.Values.Single().Value);
            await output.WriteAsync(bytes);
            await output.FlushAsync();
            return 0;
        }
    }
}
