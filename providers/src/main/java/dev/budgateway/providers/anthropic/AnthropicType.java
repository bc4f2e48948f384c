package dev.budgateway.providers.anthropic;

import dev.budgateway.providers.http.ChatOnlyType;

/** The {@code anthropic} type: Claude models over the Messages API. */
public final class AnthropicType {

    public static final ChatOnlyType TYPE = new ChatOnlyType("anthropic", "https://api.anthropic.com/v1",
            "ANTHROPIC_API_KEY", AnthropicProtocol::new);

    private AnthropicType() {}
}
