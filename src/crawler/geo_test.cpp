// Geolocation: Debian's legacy country database through libgeoip, MaxMind DB files through
// libmaxminddb (small files written by mmdb_test_writer.h), and the hosting flag.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crawler/geo.h"
#include "crawler/mmdb_test_writer.h"

namespace bitloom {
namespace {

using namespace mmdb_test;

NetAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return NetAddress::ipv4({a, b, c, d});
}

class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("bitloom-geo-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// A City-like and an ASN-like file, as GeoLite2 ships them.
struct TestDatabases {
    TempDir dir;
    std::string city = dir.file("city.mmdb");
    std::string asn = dir.file("asn.mmdb");
    TestDatabases() {
        write_mmdb(city, {
            {{8, 8, 8, 0}, 24,
             map({{"city", map({{"names", map({{"en", str("Mountain View")}})}})},
                  {"country", map({{"iso_code", str("US")}})}})},
            {{81, 2, 69, 0}, 24,
             map({{"city", map({{"names", map({{"de", str("Paris"), }})}})},
                  {"country", map({{"iso_code", str("FR")}})}})},
        });
        write_mmdb(asn, {
            {{8, 8, 8, 0}, 24,
             map({{"autonomous_system_number", u32(15169)},
                  {"autonomous_system_organization", str("GOOGLE")}})},
            {{5, 9, 0, 0}, 16,
             map({{"autonomous_system_number", u32(24940)},
                  {"autonomous_system_organization", str("Hetzner Online GmbH")}})},
            {{81, 2, 69, 0}, 24,
             map({{"autonomous_system_number", u32(3215)},
                  {"autonomous_system_organization", str("Orange S.A.")}})},
        });
    }
};

TEST(GeoHosting, flags_the_well_known_cloud_asns) {
    for (std::uint32_t asn : {16509u, 14618u, 15169u, 396982u, 8075u, 14061u, 24940u, 16276u,
                              63949u, 20473u, 45102u, 31898u, 51167u, 12876u}) {
        EXPECT_TRUE(is_hosting_asn(asn)) << asn;
    }
    EXPECT_EQ(hosting_provider(16509), "Amazon");
    EXPECT_EQ(hosting_provider(24940), "Hetzner");
}

TEST(GeoHosting, does_not_flag_residential_or_unknown_asns) {
    for (std::uint32_t asn : {0u, 1u, 3215u /* Orange */, 7922u /* Comcast */, 3320u /* DTAG */,
                              4294967295u}) {
        EXPECT_FALSE(is_hosting_asn(asn)) << asn;
    }
}

TEST(GeoHosting, list_is_sorted_without_duplicates) {
    auto list = hosting_asns();
    ASSERT_GT(list.size(), 10u);
    for (std::size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1].asn, list[i].asn);
}

TEST(GeoLookupTest, with_no_file_given_every_answer_is_empty) {
    auto geo = GeoLookup::open(GeoOptions{});
    ASSERT_TRUE(geo.has_value());
    EXPECT_FALSE(geo->has_country_database());
    EXPECT_FALSE(geo->has_mmdb());
    EXPECT_EQ(geo->lookup(v4(8, 8, 8, 8)), GeoInfo{});
}

TEST(GeoLookupTest, debian_database_is_installed_and_places_google_dns_in_the_us) {
    ASSERT_TRUE(std::filesystem::exists(DEBIAN_GEOIP_COUNTRY_V4))
        << "install geoip-database (scripts/install-deps.sh)";
    auto geo = GeoLookup::open(debian_geo_options());
    ASSERT_TRUE(geo.has_value()) << geo.error().message;
    EXPECT_TRUE(geo->has_country_database());
    GeoInfo info = geo->lookup(v4(8, 8, 8, 8));
    EXPECT_EQ(info.country, "US");
    EXPECT_EQ(info.asn, 0u);  // the legacy country file knows no ASN
    EXPECT_FALSE(info.hosting);
    // Deutsche Telekom's DNS resolver range is in Germany.
    EXPECT_EQ(geo->lookup(v4(194, 25, 0, 60)).country, "DE");
}

TEST(GeoLookupTest, debian_ipv6_database_answers_for_ipv6) {
    auto geo = GeoLookup::open(debian_geo_options());
    ASSERT_TRUE(geo.has_value()) << geo.error().message;
    auto google = NetAddress::parse("2001:4860:4860::8888");
    ASSERT_TRUE(google.has_value());
    EXPECT_EQ(geo->lookup(*google).country, "US");
}

TEST(GeoLookupTest, unroutable_and_overlay_addresses_have_no_country) {
    auto geo = GeoLookup::open(debian_geo_options());
    ASSERT_TRUE(geo.has_value()) << geo.error().message;
    EXPECT_EQ(geo->lookup(v4(127, 0, 0, 1)).country, "");
    EXPECT_EQ(geo->lookup(v4(10, 1, 2, 3)).country, "");
    auto onion = NetAddress::from_bip155(4, Bytes(32, 0x11));
    ASSERT_TRUE(onion.has_value());
    EXPECT_EQ(geo->lookup(*onion), GeoInfo{});
}

TEST(GeoLookupTest, missing_files_are_reported_as_errors) {
    GeoOptions legacy;
    legacy.geoip_country_v4 = "/nonexistent/GeoIP.dat";
    auto geo = GeoLookup::open(legacy);
    ASSERT_FALSE(geo.has_value());
    EXPECT_EQ(geo.error().error, GeoError::cannot_open_geoip);

    GeoOptions mmdb;
    mmdb.mmdb_files = {"/nonexistent/GeoLite2-City.mmdb"};
    auto geo2 = GeoLookup::open(mmdb);
    ASSERT_FALSE(geo2.has_value());
    EXPECT_EQ(geo2.error().error, GeoError::cannot_open_mmdb);
    EXPECT_NE(geo2.error().message.find("GeoLite2-City.mmdb"), std::string::npos);
}

TEST(GeoLookupTest, a_file_that_is_not_an_mmdb_is_refused) {
    TempDir dir;
    std::string path = dir.file("garbage.mmdb");
    std::ofstream(path) << "this is not a MaxMind database";
    GeoOptions options;
    options.mmdb_files = {path};
    auto geo = GeoLookup::open(options);
    ASSERT_FALSE(geo.has_value());
    EXPECT_EQ(geo.error().error, GeoError::cannot_open_mmdb);
}

TEST(GeoLookupTest, mmdb_files_give_city_country_asn_and_organisation) {
    TestDatabases databases;
    GeoOptions options;
    options.mmdb_files = {databases.city, databases.asn};
    auto geo = GeoLookup::open(options);
    ASSERT_TRUE(geo.has_value()) << geo.error().message;
    EXPECT_TRUE(geo->has_mmdb());

    GeoInfo google = geo->lookup(v4(8, 8, 8, 8));
    EXPECT_EQ(google.country, "US");
    EXPECT_EQ(google.city, "Mountain View");
    EXPECT_EQ(google.asn, 15169u);
    EXPECT_EQ(google.organization, "GOOGLE");
    EXPECT_TRUE(google.hosting);

    GeoInfo hetzner = geo->lookup(v4(5, 9, 200, 1));  // only in the ASN file
    EXPECT_EQ(hetzner.country, "");
    EXPECT_EQ(hetzner.asn, 24940u);
    EXPECT_EQ(hetzner.organization, "Hetzner Online GmbH");
    EXPECT_TRUE(hetzner.hosting);

    GeoInfo orange = geo->lookup(v4(81, 2, 69, 142));
    EXPECT_EQ(orange.country, "FR");
    EXPECT_EQ(orange.city, "");  // the file has only a German name
    EXPECT_EQ(orange.asn, 3215u);
    EXPECT_FALSE(orange.hosting);

    EXPECT_EQ(geo->lookup(v4(9, 9, 9, 9)), GeoInfo{});  // in neither file
    // An IPv6 address cannot be looked up in an IPv4 file: no answer, no failure.
    auto ipv6 = NetAddress::parse("2001:4860:4860::8888");
    ASSERT_TRUE(ipv6.has_value());
    EXPECT_EQ(geo->lookup(*ipv6), GeoInfo{});
}

TEST(GeoLookupTest, mmdb_country_takes_precedence_and_legacy_fills_the_gaps) {
    TestDatabases databases;
    GeoOptions options = debian_geo_options();
    options.mmdb_files = {databases.asn};  // no country in this file
    auto geo = GeoLookup::open(options);
    ASSERT_TRUE(geo.has_value()) << geo.error().message;
    GeoInfo info = geo->lookup(v4(8, 8, 8, 8));
    EXPECT_EQ(info.country, "US");  // from the legacy file
    EXPECT_EQ(info.asn, 15169u);    // from the .mmdb file

    GeoOptions city_first = debian_geo_options();
    city_first.mmdb_files = {databases.city, databases.asn};
    auto geo2 = GeoLookup::open(city_first);
    ASSERT_TRUE(geo2.has_value()) << geo2.error().message;
    EXPECT_EQ(geo2->lookup(v4(81, 2, 69, 142)).country, "FR");
}

}  // namespace
}  // namespace bitloom
