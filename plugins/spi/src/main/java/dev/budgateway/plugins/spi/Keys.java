package dev.budgateway.plugins.spi;

/** The well-known keys, in one place. Plugins may define their own with {@link Key#of}. */
public final class Keys {

    /** The id of this request, also sent back as {@code x-request-id}. */
    public static final Key<String> REQUEST_ID = Key.of("request_id", String.class);
    /** The model name the client asked for, as written in the request. */
    public static final Key<String> MODEL = Key.of("model", String.class);
    /** Whether the client asked for a stream. */
    public static final Key<Boolean> STREAM = Key.of("stream", Boolean.class);
    /** The ordered candidates the request may be sent to. */
    public static final Key<Route> ROUTE = Key.of("route", Route.class);
    /** The candidate of the current attempt (set on an attempt's exchange). */
    public static final Key<RouteTarget> ATTEMPT_TARGET = Key.of("attempt_target", RouteTarget.class);
    /** How many attempts have been started for this request. */
    public static final Key<Integer> ATTEMPTS = Key.mutable("attempts", Integer.class);
    /** The candidate whose response reached the client. */
    public static final Key<RouteTarget> SERVED_BY = Key.mutable("served_by", RouteTarget.class);

    /** The files of a {@code multipart/form-data} request, in form order; its text fields are the body. */
    public static final Key<UploadedFiles> UPLOADED_FILES = Key.of("uploaded_files", UploadedFiles.class);

    /** The address of the connection's other end, from the socket: a proxy's when there is one. */
    public static final Key<java.net.InetSocketAddress> PEER_ADDRESS = Key.of("peer_address",
            java.net.InetSocketAddress.class);
    /** Who is calling, once an authentication filter has decided. */
    public static final Key<Identity> IDENTITY = Key.of("identity", Identity.class);
    /** The models the caller may use, once an authentication filter has decided; absent means all. */
    public static final Key<ModelGrants> MODEL_GRANTS = Key.of("model_grants", ModelGrants.class);
    /**
     * The catalogue model a request is for when the name the client wrote is an alias of it (a control-plane
     * key maps user-facing names to endpoint ids); routing reads it before {@link #MODEL}.
     */
    public static final Key<String> RESOLVED_MODEL = Key.of("resolved_model", String.class);
    /** The client's address as trusted, its location and its user agent, once a client-info filter ran. */
    public static final Key<ClientInfo> CLIENT_INFO = Key.of("client_info", ClientInfo.class);

    /** The size of the request's body as it arrived, in bytes (a JSON body's; absent for uploads). */
    public static final Key<Long> BODY_BYTES = Key.of("body_bytes", Long.class);
    /** The HTTP version the client spoke: {@code HTTP/1.1} or {@code HTTP/2.0}. */
    public static final Key<String> PROTOCOL = Key.of("protocol", String.class);

    /** What the request's tokens cost, once a filter priced it (the usage-limits filter does). */
    public static final Key<Pricing> PRICE = Key.of("price", Pricing.class);

    private Keys() {}
}
