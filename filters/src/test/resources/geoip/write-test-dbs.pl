# Writes two small MaxMind DB files for the client-info tests: a City database and an ASN database,
# with documentation and test networks only. Needs Debian's libmaxmind-db-writer-perl (bin/test installs it).
#   perl write-test-dbs.pl CITY_OUT ASN_OUT [CITY_NAME]
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($city_out, $asn_out, $city_name) = @ARGV;
$city_name //= 'Berlin';

my %city_types = (
  country => 'map', city => 'map', subdivisions => ['array', 'map'], location => 'map', names => 'map',
  en => 'utf8_string', iso_code => 'utf8_string', geoname_id => 'uint32', latitude => 'double',
  longitude => 'double', time_zone => 'utf8_string',
);
my $city = MaxMind::DB::Writer::Tree->new(
  ip_version => 6, remove_reserved_networks => 0, record_size => 28, database_type => 'GeoIP2-City',
  languages => ['en'], description => { en => 'budgateway test city database' },
  map_key_type_callback => sub { $city_types{ $_[0] } },
);
$city->insert_network('203.0.113.0/24', {
  country => { iso_code => 'DE', geoname_id => 2921044, names => { en => 'Germany' } },
  city => { geoname_id => 2950159, names => { en => $city_name } },
  subdivisions => [ { iso_code => 'BE', names => { en => 'Land Berlin' } } ],
  location => { latitude => 52.52, longitude => 13.405, time_zone => 'Europe/Berlin' },
});
$city->insert_network('198.51.100.0/24', {
  country => { iso_code => 'FR', geoname_id => 3017382, names => { en => 'France' } },
});
$city->insert_network('2001:db8::/32', {
  country => { iso_code => 'JP', geoname_id => 1861060, names => { en => 'Japan' } },
});
open my $fh, '>:raw', $city_out or die "cannot write $city_out";
$city->write_tree($fh);
close $fh;

my %asn_types = (autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string');
my $asn = MaxMind::DB::Writer::Tree->new(
  ip_version => 6, remove_reserved_networks => 0, record_size => 28, database_type => 'GeoLite2-ASN',
  languages => ['en'], description => { en => 'budgateway test ASN database' },
  map_key_type_callback => sub { $asn_types{ $_[0] } },
);
$asn->insert_network('203.0.113.0/24', { autonomous_system_number => 64500, autonomous_system_organization => 'Example Net' });
open my $ah, '>:raw', $asn_out or die "cannot write $asn_out";
$asn->write_tree($ah);
close $ah;
