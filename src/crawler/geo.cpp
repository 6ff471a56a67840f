#include "crawler/geo.h"

#include <GeoIP.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace bitloom {

namespace {

// Registry facts: ASNs announced by cloud and hosting providers.
constexpr std::array<HostingAsn, 30> HOSTING_ASNS = {{
    {8075, "Microsoft"},
    {8560, "IONOS"},
    {8987, "Amazon"},
    {9009, "M247"},
    {12876, "Scaleway"},
    {13335, "Cloudflare"},
    {14061, "DigitalOcean"},
    {14618, "Amazon"},
    {15169, "Google"},
    {16276, "OVH"},
    {16509, "Amazon"},
    {19527, "Google"},
    {20473, "Vultr"},
    {24940, "Hetzner"},
    {28753, "Leaseweb"},
    {31898, "Oracle"},
    {36351, "IBM Cloud"},
    {37963, "Alibaba"},
    {45090, "Tencent"},
    {45102, "Alibaba"},
    {47583, "Hostinger"},
    {51167, "Contabo"},
    {54290, "Hostwinds"},
    {60781, "Leaseweb"},
    {63949, "Akamai (Linode)"},
    {132203, "Tencent"},
    {197540, "netcup"},
    {212317, "Hetzner"},
    {213230, "Hetzner"},
    {396982, "Google"},
}};

static_assert(std::ranges::is_sorted(HOSTING_ASNS, {}, &HostingAsn::asn));

struct GeoIpCloser {
    void operator()(GeoIP* handle) const { GeoIP_delete(handle); }
};
using GeoIpHandle = std::unique_ptr<GeoIP, GeoIpCloser>;

GeoIpHandle open_geoip(const std::string& path) {
    // GeoIP_open prints to stderr when the file is missing; check first so a missing file
    // is only reported through the Result.
    if (FILE* probe = std::fopen(path.c_str(), "rb")) {
        std::fclose(probe);
    } else {
        return nullptr;
    }
    return GeoIpHandle(GeoIP_open(path.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE));
}

std::string country_from_code(const char* code) {
    if (code == nullptr) return {};
    std::string text(code);
    // libgeoip answers "--" and the pseudo-codes "A1" (anonymous proxy), "A2" (satellite),
    // "AP", "EU", "O1" for ranges without a country; keep only two letters that name one.
    if (text.size() != 2 || text == "--" || text == "A1" || text == "A2" || text == "O1") return {};
    return text;
}

// A string or unsigned value at `path` in the entry, if present with that type.
std::optional<std::string> mmdb_string(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data;
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data ||
        data.type != MMDB_DATA_TYPE_UTF8_STRING) {
        return std::nullopt;
    }
    return std::string(data.utf8_string, data.data_size);
}

std::optional<std::uint32_t> mmdb_uint(MMDB_entry_s& entry, const char* const* path) {
    MMDB_entry_data_s data;
    if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) {
        return std::nullopt;
    }
    switch (data.type) {
    case MMDB_DATA_TYPE_UINT16: return data.uint16;
    case MMDB_DATA_TYPE_UINT32: return data.uint32;
    case MMDB_DATA_TYPE_UINT64:
        if (data.uint64 > UINT32_MAX) return std::nullopt;
        return static_cast<std::uint32_t>(data.uint64);
    default: return std::nullopt;
    }
}

}  // namespace

std::string_view to_string(GeoError error) {
    switch (error) {
    case GeoError::cannot_open_geoip: return "cannot_open_geoip";
    case GeoError::cannot_open_mmdb: return "cannot_open_mmdb";
    }
    return "unknown";
}

GeoOptions debian_geo_options() {
    GeoOptions options;
    options.geoip_country_v4 = std::string(DEBIAN_GEOIP_COUNTRY_V4);
    options.geoip_country_v6 = std::string(DEBIAN_GEOIP_COUNTRY_V6);
    return options;
}

std::span<const HostingAsn> hosting_asns() { return HOSTING_ASNS; }

std::optional<std::string_view> hosting_provider(std::uint32_t asn) {
    auto it = std::ranges::lower_bound(HOSTING_ASNS, asn, {}, &HostingAsn::asn);
    if (it == HOSTING_ASNS.end() || it->asn != asn) return std::nullopt;
    return it->provider;
}

struct GeoLookup::Impl {
    GeoIpHandle country_v4;
    GeoIpHandle country_v6;
    std::vector<std::unique_ptr<MMDB_s>> mmdbs;

    ~Impl() {
        for (auto& mmdb : mmdbs) MMDB_close(mmdb.get());
    }
};

GeoLookup::GeoLookup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GeoLookup::GeoLookup(GeoLookup&&) noexcept = default;
GeoLookup& GeoLookup::operator=(GeoLookup&&) noexcept = default;
GeoLookup::~GeoLookup() = default;

Result<GeoLookup, GeoFailure> GeoLookup::open(const GeoOptions& options) {
    auto impl = std::make_unique<Impl>();
    if (!options.geoip_country_v4.empty()) {
        impl->country_v4 = open_geoip(options.geoip_country_v4);
        if (!impl->country_v4) {
            return fail(GeoFailure{GeoError::cannot_open_geoip,
                                   options.geoip_country_v4 + ": cannot open"});
        }
    }
    if (!options.geoip_country_v6.empty()) {
        impl->country_v6 = open_geoip(options.geoip_country_v6);
        if (!impl->country_v6) {
            return fail(GeoFailure{GeoError::cannot_open_geoip,
                                   options.geoip_country_v6 + ": cannot open"});
        }
    }
    for (const std::string& path : options.mmdb_files) {
        if (path.empty()) continue;
        auto mmdb = std::make_unique<MMDB_s>();
        int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, mmdb.get());
        if (status != MMDB_SUCCESS) {
            return fail(GeoFailure{GeoError::cannot_open_mmdb,
                                   path + ": " + MMDB_strerror(status)});
        }
        impl->mmdbs.push_back(std::move(mmdb));
    }
    return GeoLookup(std::move(impl));
}

bool GeoLookup::has_country_database() const {
    return impl_->country_v4 || impl_->country_v6 || !impl_->mmdbs.empty();
}

bool GeoLookup::has_mmdb() const { return !impl_->mmdbs.empty(); }

GeoInfo GeoLookup::lookup(const NetAddress& address) const {
    GeoInfo info;
    if (!address.is_ipv4() && !address.is_ipv6()) return info;
    ByteSpan bytes = address.bytes();

    sockaddr_storage storage{};
    if (address.is_ipv4()) {
        auto* in = reinterpret_cast<sockaddr_in*>(&storage);
        in->sin_family = AF_INET;
        std::memcpy(&in->sin_addr, bytes.data(), 4);
    } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
        in6->sin6_family = AF_INET6;
        std::memcpy(&in6->sin6_addr, bytes.data(), 16);
    }

    static constexpr const char* COUNTRY_PATH[] = {"country", "iso_code", nullptr};
    static constexpr const char* CITY_PATH[] = {"city", "names", "en", nullptr};
    static constexpr const char* ASN_PATH[] = {"autonomous_system_number", nullptr};
    static constexpr const char* ORG_PATH[] = {"autonomous_system_organization", nullptr};
    for (const auto& mmdb : impl_->mmdbs) {
        int mmdb_error = MMDB_SUCCESS;
        MMDB_lookup_result_s result = MMDB_lookup_sockaddr(
            mmdb.get(), reinterpret_cast<const sockaddr*>(&storage), &mmdb_error);
        if (mmdb_error != MMDB_SUCCESS || !result.found_entry) continue;
        if (info.country.empty()) {
            if (auto value = mmdb_string(result.entry, COUNTRY_PATH)) info.country = *value;
        }
        if (info.city.empty()) {
            if (auto value = mmdb_string(result.entry, CITY_PATH)) info.city = *value;
        }
        if (info.asn == 0) {
            if (auto value = mmdb_uint(result.entry, ASN_PATH)) info.asn = *value;
        }
        if (info.organization.empty()) {
            if (auto value = mmdb_string(result.entry, ORG_PATH)) info.organization = *value;
        }
    }

    if (info.country.empty()) {
        if (address.is_ipv4() && impl_->country_v4) {
            std::uint32_t ipnum = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                                  (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
            info.country = country_from_code(
                GeoIP_country_code_by_ipnum(impl_->country_v4.get(), ipnum));
        } else if (address.is_ipv6() && impl_->country_v6) {
            geoipv6_t ipnum;
            std::memcpy(&ipnum, bytes.data(), 16);
            info.country = country_from_code(
                GeoIP_country_code_by_ipnum_v6(impl_->country_v6.get(), ipnum));
        }
    }
    info.hosting = info.asn != 0 && is_hosting_asn(info.asn);
    return info;
}

}  // namespace bitloom
