package dev.budgateway.server;

/** The gateway's version, from the jar's manifest. */
final class Version {

    private Version() {}

    static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
