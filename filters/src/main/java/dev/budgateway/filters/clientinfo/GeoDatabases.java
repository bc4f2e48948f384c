package dev.budgateway.filters.clientinfo;

import com.maxmind.db.CHMCache;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.AsnResponse;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;
import com.maxmind.geoip2.record.Subdivision;
import dev.budgateway.plugins.spi.ClientInfo;
import dev.budgateway.plugins.spi.DependencyState;
import dev.budgateway.plugins.spi.FilterMetrics;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MaxMind databases: a City or Country database and, optionally, an ASN database. Each file is
 * checked for a change (modification time and size) every reload interval and, when it changed, opened
 * anew and swapped in; requests in flight finish on the old reader, which is closed a minute later. A file
 * that does not open at reload (half-copied, corrupt) leaves the old database in use and says so, in the log
 * and in {@code /health}.
 */
final class GeoDatabases implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(GeoDatabases.class);
    private static final long RETIRE_AFTER_MS = 60_000;

    /** One file and the reader open on it. */
    private static final class Database {
        final Path path;
        final String kind;
        volatile DatabaseReader reader;
        volatile long modified;
        volatile long size;
        volatile boolean reloadFailed;

        Database(Path path, String kind) {
            this.path = path;
            this.kind = kind;
        }
    }

    private final Database location;
    private final Database asn;
    private final boolean hasCity;
    private final ScheduledExecutorService scheduler;
    private final FilterMetrics.Counter reloads;
    private final FilterMetrics.Counter reloadFailures;

    /**
     * Opens the files.
     *
     * @throws IOException naming the file that cannot be opened as a MaxMind database
     */
    GeoDatabases(Path locationDb, Path asnDb, ScheduledExecutorService scheduler, long reloadMs, FilterMetrics metrics)
            throws IOException {
        this.scheduler = scheduler;
        this.location = locationDb == null ? null : new Database(locationDb, "location");
        this.asn = asnDb == null ? null : new Database(asnDb, "asn");
        this.reloads = metrics.counter("client_info.geoip_reloads", "GeoIP databases reloaded after a change on disk");
        this.reloadFailures = metrics.counter("client_info.geoip_reload_failures",
                "GeoIP database files that changed on disk but could not be opened (the old one stays in use)");
        if (location != null) {
            open(location);
        }
        if (asn != null) {
            open(asn);
        }
        this.hasCity = location != null && location.reader.metadata().databaseType().contains("City");
        if (reloadMs > 0) {
            scheduler.scheduleWithFixedDelay(this::checkForChanges, reloadMs, reloadMs, TimeUnit.MILLISECONDS);
        }
    }

    private static void open(Database db) throws IOException {
        long modified = Files.getLastModifiedTime(db.path).toMillis();
        long size = Files.size(db.path);
        db.reader = new DatabaseReader.Builder(db.path.toFile()).withCache(new CHMCache()).build();
        db.modified = modified;
        db.size = size;
    }

    private void checkForChanges() {
        for (Database db : new Database[] {location, asn}) {
            if (db == null) {
                continue;
            }
            try {
                long modified = Files.getLastModifiedTime(db.path).toMillis();
                long size = Files.size(db.path);
                if (modified == db.modified && size == db.size) {
                    continue;
                }
                DatabaseReader old = db.reader;
                open(db);
                db.reloadFailed = false;
                reloads.increment();
                logger.info("Reloaded the GeoIP {} database {} (changed on disk)", db.kind, db.path);
                scheduler.schedule(() -> closeQuietly(old), RETIRE_AFTER_MS, TimeUnit.MILLISECONDS);
            } catch (IOException | RuntimeException e) {
                if (!db.reloadFailed) {
                    reloadFailures.increment();
                    logger.warn("The GeoIP {} database {} changed on disk but cannot be opened ({}): the previous one "
                            + "stays in use", db.kind, db.path, e.getMessage());
                }
                db.reloadFailed = true;
            }
        }
    }

    DependencyState state() {
        boolean failed = (location != null && location.reloadFailed) || (asn != null && asn.reloadFailed);
        return failed ? DependencyState.DEGRADED : DependencyState.OK;
    }

    /** Where {@code address} is; {@code null} for addresses no database knows (private ones are skipped). */
    ClientInfo.Geo lookup(InetAddress address) {
        if (address == null || !isPublic(address)) {
            return null;
        }
        String countryCode = null;
        String countryName = null;
        String region = null;
        String city = null;
        Double latitude = null;
        Double longitude = null;
        String timezone = null;
        Long asNumber = null;
        String organization = null;
        boolean found = false;
        try {
            if (location != null) {
                if (hasCity) {
                    Optional<CityResponse> r = location.reader.tryCity(address);
                    if (r.isPresent()) {
                        found = true;
                        CityResponse c = r.get();
                        countryCode = c.country().isoCode();
                        countryName = c.country().names().get("en");
                        if (!c.subdivisions().isEmpty()) {
                            Subdivision s = c.subdivisions().get(0);
                            region = s.isoCode() != null ? s.isoCode() : s.names().get("en");
                        }
                        city = c.city().names().get("en");
                        latitude = c.location().latitude();
                        longitude = c.location().longitude();
                        timezone = c.location().timeZone();
                    }
                } else {
                    Optional<CountryResponse> r = location.reader.tryCountry(address);
                    if (r.isPresent()) {
                        found = true;
                        countryCode = r.get().country().isoCode();
                        countryName = r.get().country().names().get("en");
                    }
                }
            }
            if (asn != null) {
                Optional<AsnResponse> r = asn.reader.tryAsn(address);
                if (r.isPresent()) {
                    found = true;
                    asNumber = r.get().autonomousSystemNumber();
                    organization = r.get().autonomousSystemOrganization();
                }
            }
        } catch (IOException | com.maxmind.geoip2.exception.GeoIp2Exception e) {
            logger.debug("GeoIP lookup failed", e);
            return null;
        }
        return found ? new ClientInfo.Geo(countryCode, countryName, region, city, latitude, longitude, timezone,
                asNumber, organization) : null;
    }

    /** Not private, loopback, link-local, multicast, unspecified or unique-local (fc00::/7). */
    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        if (a instanceof Inet6Address) {
            int first = a.getAddress()[0] & 0xff;
            return (first & 0xfe) != 0xfc;
        }
        byte[] b = a.getAddress();
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        // 100.64.0.0/10 (carrier-grade NAT) is not routable from the outside either.
        return !(b0 == 100 && b1 >= 64 && b1 < 128);
    }

    private static void closeQuietly(DatabaseReader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            logger.debug("Closing a retired GeoIP reader", e);
        }
    }

    @Override
    public void close() {
        if (location != null) {
            closeQuietly(location.reader);
        }
        if (asn != null) {
            closeQuietly(asn.reader);
        }
    }
}
