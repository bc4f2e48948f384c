package dev.budgateway.plugins.spi;

import java.util.Set;

/**
 * The models a caller may use, as its authentication established ({@link Keys#MODEL_GRANTS}); what
 * {@code /v1/models} lists for it.
 *
 * @param all whether every model of the gateway is granted
 * @param names the granted names as the caller writes them, when not {@code all}
 */
public record ModelGrants(boolean all, Set<String> names) {

    public static final ModelGrants ALL = new ModelGrants(true, Set.of());

    public ModelGrants {
        names = Set.copyOf(names);
    }

    public boolean allows(String model) {
        return all || names.contains(model);
    }
}
