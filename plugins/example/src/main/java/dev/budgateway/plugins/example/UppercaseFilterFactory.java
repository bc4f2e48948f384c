package dev.budgateway.plugins.example;

import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkEmitter;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.ResponseListener;
import java.util.Locale;

/** {@code type = "example-uppercase"}: upper-cases the generated text, chunk by chunk, streams included. */
public final class UppercaseFilterFactory implements FilterFactory {

    /** Stateless, so one listener serves every exchange. */
    private static final ResponseListener UPPERCASE = new ResponseListener() {
        @Override
        public void onChunk(Chunk chunk, ChunkEmitter next) {
            String text = chunk.text();
            next.emit(text == null ? chunk : chunk.withText(text.toUpperCase(Locale.ROOT)));
        }
    };

    @Override
    public String type() {
        return "example-uppercase";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        config.bind(UppercaseConfig.class);
        return exchange -> {
            exchange.addListener(UPPERCASE);
            return FilterResult.CONTINUE;
        };
    }
}
