// Where a node's address is: country from Debian's `geoip-database` (legacy GeoIP country
// files read through libgeoip), and, from MaxMind-format (.mmdb) files read through
// libmaxminddb, city, country, autonomous system number and its organisation. An address whose
// AS belongs to a cloud or hosting provider (a built-in list of well-known ASNs) is flagged.
//
// Files read:
//   GeoIP.dat / GeoIPv6.dat  the legacy GeoIP country format (Debian installs both under
//                            /usr/share/GeoIP); looked up by IPv4 or IPv6 address.
//   *.mmdb                   MaxMind DB format 2.x (GeoLite2/GeoIP2 City, Country, ASN, or any
//                            file with the same keys). Fields read, each optional:
//                              country.iso_code                 ISO 3166-1 alpha-2
//                              city.names.en                    city name in English
//                              autonomous_system_number         uint
//                              autonomous_system_organization   string
//                            Several files may be given (GeoLite2 ships City and ASN apart);
//                            the first file with a value for a field wins.
// A country found in an .mmdb file takes precedence over the legacy database's.
//
// Only IPv4 and IPv6 addresses are looked up; Tor, I2P and CJDNS addresses have no location.
// Strings read from the files are returned as stored (the report escapes what it prints).
// A GeoLookup is used by one thread at a time (libgeoip notes the last lookup's netmask in
// its handle); open one per thread to look up in parallel.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "p2p/net_address.h"
#include "util/result.h"

namespace bitloom {

// What is known about where an address is; empty strings and asn 0 mean unknown.
struct GeoInfo {
    std::string country;       // ISO 3166-1 alpha-2, upper case ("US"); "" unknown
    std::string city;          // "" unknown
    std::uint32_t asn = 0;     // 0 unknown
    std::string organization;  // the AS's organisation; "" unknown
    bool hosting = false;      // asn is a known cloud or hosting provider's
    friend bool operator==(const GeoInfo&, const GeoInfo&) = default;
};

// Which files to read. Empty paths are skipped.
struct GeoOptions {
    std::string geoip_country_v4;    // legacy GeoIP country file for IPv4
    std::string geoip_country_v6;    // legacy GeoIP country file for IPv6
    std::vector<std::string> mmdb_files;
};

// Debian's geoip-database paths: /usr/share/GeoIP/GeoIP.dat and GeoIPv6.dat.
inline constexpr std::string_view DEBIAN_GEOIP_COUNTRY_V4 = "/usr/share/GeoIP/GeoIP.dat";
inline constexpr std::string_view DEBIAN_GEOIP_COUNTRY_V6 = "/usr/share/GeoIP/GeoIPv6.dat";
// GeoOptions with Debian's two country files and no .mmdb file.
GeoOptions debian_geo_options();

enum class GeoError : std::uint8_t {
    cannot_open_geoip,  // a legacy GeoIP file is missing or not in that format
    cannot_open_mmdb,   // an .mmdb file is missing or not in the MaxMind DB format
};
// "cannot_open_geoip", "cannot_open_mmdb".
std::string_view to_string(GeoError error);

struct GeoFailure {
    GeoError error = GeoError::cannot_open_geoip;
    std::string message;  // the path and the library's reason
};

class GeoLookup {
public:
    // Opens every non-empty path in `options`; fails on the first that cannot be opened.
    // With no path at all the lookup opens and every answer is empty.
    static Result<GeoLookup, GeoFailure> open(const GeoOptions& options);

    GeoLookup(GeoLookup&&) noexcept;
    GeoLookup& operator=(GeoLookup&&) noexcept;
    ~GeoLookup();

    // Everything the open files know about `address` (hosting derived from the ASN). Never
    // fails: what is not found stays empty.
    GeoInfo lookup(const NetAddress& address) const;

    bool has_country_database() const;  // a legacy file or an .mmdb file is open
    bool has_mmdb() const;

private:
    struct Impl;
    explicit GeoLookup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// A cloud or hosting provider and one of its autonomous system numbers.
struct HostingAsn {
    std::uint32_t asn;
    std::string_view provider;
};
// The built-in list, sorted by ASN.
std::span<const HostingAsn> hosting_asns();
// The provider owning `asn`, or nullopt when `asn` is not in the list.
std::optional<std::string_view> hosting_provider(std::uint32_t asn);
inline bool is_hosting_asn(std::uint32_t asn) { return hosting_provider(asn).has_value(); }

}  // namespace bitloom
