// decode_address with each network's prefixes. An address that decodes re-encodes to one that
// decodes to the same destination, and describe_address_error agrees with decode_address.
#include "encoding/address.h"
#include "encoding/prefixes.h"
#include "fuzz/fuzz_check.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    for (const AddressPrefixes* prefixes :
         {&MAINNET_ADDRESS_PREFIXES, &TESTNET_ADDRESS_PREFIXES, &REGTEST_ADDRESS_PREFIXES}) {
        auto destination = decode_address(text, *prefixes);
        auto report = describe_address_error(text, *prefixes);
        check(destination.has_value() == !report.has_value());
        if (report) check(report->error == destination.error());
        if (!destination) continue;
        check(has_address(*destination));
        auto encoded = encode_address(*destination, *prefixes);
        check(encoded.has_value());
        auto again = decode_address(*encoded, *prefixes);
        check(again.has_value() && *again == *destination);
        check(extract_destination(script_for_destination(*destination)) == *destination);
    }
    return 0;
}
