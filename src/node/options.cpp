#include "node/options.h"

#include <array>

namespace bitloom {
namespace {

constexpr auto FLAG = ArgsParser::Kind::flag;
constexpr auto VALUE = ArgsParser::Kind::value;

constexpr std::string_view GENERAL = "Options";
constexpr std::string_view CONNECTION = "Connection options";
constexpr std::string_view WALLET = "Wallet options";
constexpr std::string_view DEBUGGING = "Debugging/Testing options";
constexpr std::string_view CHAIN = "Chain selection options";
constexpr std::string_view RELAY = "Node relay options";
constexpr std::string_view MINING = "Block creation options";
constexpr std::string_view RPC = "RPC server options";

constexpr bool NETWORK_ONLY = true;
constexpr bool NOT_USED = true;

// Help paragraphs are wrapped by ArgsParser::help_text. Options that Core also accepts without a
// value (-debug, -asmap, -blockfilterindex, -rpccookieperms) are flags with a value hint: a flag
// takes an optional value.
constexpr std::array OPTIONS = std::to_array<OptionSpec>({
    // General.
    {"?", FLAG, "", "Show this help text and exit", GENERAL},
    {"h", FLAG, "", "Show this help text and exit", GENERAL},
    {"help", FLAG, "", "Show this help text and exit (also -h or -?)", GENERAL},
    {"alertnotify", VALUE, "<cmd>",
     "Run a command when an alert is raised (%s in the command becomes the message)", GENERAL,
     false, NOT_USED},
    {"allowignoredconf", FLAG, "",
     "Only warn, instead of failing, when the data directory holds a bitloom.conf that is not "
     "read because -conf names another file",
     GENERAL},
    {"assumevalid", VALUE, "<hex>",
     "Treat this block and its ancestors as valid when it is in the best chain and skip their "
     "script checks (0 checks every script; the default is the chain's built-in value)",
     GENERAL},
    {"blockfilterindex", FLAG, "<type>",
     "Keep an index of compact block filters (default: 0, values: basic)", GENERAL, false,
     NOT_USED},
    {"blocknotify", VALUE, "<cmd>",
     "Run a command when the best block changes (%s in the command becomes the block hash)",
     GENERAL},
    {"blocksdir", VALUE, "<dir>",
     "Directory for the blocks subdirectory holding the blk*.dat files (default: <datadir>)",
     GENERAL},
    {"blocksonly", FLAG, "", "Refuse transactions relayed by peers (default: 0)", GENERAL},
    {"blocksxor", FLAG, "",
     "Obfuscate new block files with a random XOR key (default: 1)", GENERAL, false, NOT_USED},
    {"coinstatsindex", FLAG, "",
     "Keep the coin statistics index used by gettxoutsetinfo (default: 0)", GENERAL, false,
     NOT_USED},
    {"conf", VALUE, "<file>",
     "Read options from this configuration file; a relative path is taken from the data "
     "directory. Command line only (default: bitloom.conf)",
     GENERAL},
    {"daemon", FLAG, "", "Run in the background and accept commands (default: 0)", GENERAL},
    {"daemonwait", FLAG, "",
     "Return only once initialization has finished; implies -daemon (default: 0)", GENERAL},
    {"datadir", VALUE, "<dir>", "Data directory to use", GENERAL},
    {"dbcache", VALUE, "<n>",
     "Size of the database cache in MiB (minimum 4, default: 450). Needs that much free RAM.",
     GENERAL},
    {"debuglogfile", VALUE, "<file>",
     "Log file location, relative to the chain's data directory unless absolute (default: "
     "debug.log). -nodebuglogfile turns file logging off.",
     GENERAL},
    {"includeconf", VALUE, "<file>",
     "Read another configuration file, relative to the data directory. Configuration file "
     "only, not the command line.",
     GENERAL},
    {"loadblock", VALUE, "<file>", "Import blocks from this file at startup", GENERAL, false,
     NOT_USED},
    {"maxmempool", VALUE, "<n>", "Keep the memory pool under <n> MB (default: 300)", GENERAL,
     false, NOT_USED},
    {"mempoolexpiry", VALUE, "<n>",
     "Evict transactions older than <n> hours from the memory pool (default: 336)", GENERAL,
     false, NOT_USED},
    {"par", VALUE, "<n>",
     "Number of script checking threads (0 = one per core, up to 15; <0 leaves that many cores "
     "free; default: 0)",
     GENERAL},
    {"persistmempool", FLAG, "",
     "Save the memory pool at shutdown and load it at startup (default: 1)", GENERAL, false,
     NOT_USED},
    {"pid", VALUE, "<file>",
     "PID file, relative to the chain's data directory unless absolute (default: "
     "bitloomd.pid)",
     GENERAL},
    {"prune", VALUE, "<n>",
     "Delete old block files to save space. Not supported: only 0 (keep every block) is "
     "accepted (default: 0)",
     GENERAL},
    {"reindex", FLAG, "",
     "Rebuild the chain state and block index from the blk*.dat files on disk", GENERAL},
    {"reindex-chainstate", FLAG, "",
     "Rebuild the chain state from the blocks already indexed on disk", GENERAL},
    {"settings", VALUE, "<file>",
     "File for settings changed at run time, relative to the data directory (default: "
     "settings.json)",
     GENERAL, false, NOT_USED},
    {"shutdownnotify", VALUE, "<cmd>", "Run a command right before shutdown begins", GENERAL},
    {"startupnotify", VALUE, "<cmd>", "Run a command once startup has finished", GENERAL},
    {"txindex", FLAG, "",
     "Keep an index of all transactions, for getrawtransaction (default: 0)", GENERAL},
    {"version", FLAG, "", "Show the version and exit", GENERAL},

    // Connection.
    {"addnode", VALUE, "<ip>",
     "Add a peer to connect to and keep connected; may be given several times", CONNECTION, NETWORK_ONLY},
    {"asmap", FLAG, "<file>", "File mapping IP ranges to AS numbers, for peer bucketing",
     CONNECTION, false, NOT_USED},
    {"bantime", VALUE, "<n>", "Default length of manual bans in seconds (default: 86400)",
     CONNECTION},
    {"bind", VALUE, "<addr>[:<port>][=onion]",
     "Listen on this address (default: 0.0.0.0); use [host]:port for IPv6. =onion marks "
     "connections on it as coming from Tor.",
     CONNECTION, NETWORK_ONLY},
    {"cjdnsreachable", FLAG, "",
     "This host can reach the CJDNS network (fc00::/8) (default: 0)", CONNECTION, false,
     NOT_USED},
    {"connect", VALUE, "<ip>",
     "Connect only to this peer; -noconnect turns automatic connections off. May be given "
     "several times.",
     CONNECTION, NETWORK_ONLY},
    {"discover", FLAG, "",
     "Find our own IP addresses (default: 1 when listening without -externalip or -proxy)",
     CONNECTION, false, NOT_USED},
    {"dns", FLAG, "", "Resolve names given to -addnode, -seednode and -connect (default: 1)",
     CONNECTION, false, NOT_USED},
    {"dnsseed", FLAG, "",
     "Ask DNS seeds for peer addresses when few are known (default: 1 unless -connect or "
     "-maxconnections=0)",
     CONNECTION},
    {"externalip", VALUE, "<ip>", "Our own public address", CONNECTION},
    {"fixedseeds", FLAG, "", "Use the built-in seed addresses when DNS seeds fail (default: 1)",
     CONNECTION},
    {"forcednsseed", FLAG, "", "Always ask DNS seeds for peer addresses (default: 0)",
     CONNECTION, false, NOT_USED},
    {"i2pacceptincoming", FLAG, "", "Accept inbound I2P connections (default: 1)", CONNECTION,
     false, NOT_USED},
    {"i2psam", VALUE, "<ip:port>", "I2P SAM proxy for reaching I2P peers", CONNECTION, false,
     NOT_USED},
    {"listen", FLAG, "",
     "Accept inbound connections (default: 1 without -proxy, -connect or -maxconnections=0)",
     CONNECTION},
    {"listenonion", FLAG, "", "Create a Tor onion service automatically (default: 1)",
     CONNECTION, false, NOT_USED},
    {"maxconnections", VALUE, "<n>", "Keep at most <n> automatic peer connections (default: 200)",
     CONNECTION},
    {"maxreceivebuffer", VALUE, "<n>",
     "Receive buffer limit per connection, <n>*1000 bytes (default: 5000)", CONNECTION},
    {"maxsendbuffer", VALUE, "<n>",
     "Send buffer limit per connection, <n>*1000 bytes (default: 1000)", CONNECTION},
    {"maxuploadtarget", VALUE, "<n>",
     "Try to keep upload traffic under this many bytes per 24h; 0 = no limit. Units "
     "[k|K|m|M|g|G|t|T] may follow (default: 0M)",
     CONNECTION, false, NOT_USED},
    {"natpmp", FLAG, "", "Map the listening port with PCP or NAT-PMP (default: 1)", CONNECTION,
     false, NOT_USED},
    {"networkactive", FLAG, "",
     "Enable peer-to-peer networking; the setnetworkactive RPC can change it (default: 1)",
     CONNECTION},
    {"onion", VALUE, "<ip:port|path>",
     "SOCKS5 proxy for Tor onion peers; -noonion disables them (default: -proxy)", CONNECTION},
    {"onlynet", VALUE, "<net>",
     "Make automatic outbound connections only to this network (ipv4, ipv6, onion, i2p, "
     "cjdns); may be given several times",
     CONNECTION},
    {"peerblockfilters", FLAG, "", "Serve BIP157 compact block filters to peers (default: 0)",
     CONNECTION, false, NOT_USED},
    {"peerbloomfilters", FLAG, "", "Serve BIP37 bloom filtered blocks (default: 0)",
     CONNECTION, false, NOT_USED},
    {"port", VALUE, "<port>",
     "Listen on <port> (default: 8333, testnet3: 18333, testnet4: 48333, signet: 38333, "
     "regtest: 18444)",
     CONNECTION, NETWORK_ONLY},
    {"proxy", VALUE, "<ip>[:<port>]",
     "Connect through this SOCKS5 proxy; -noproxy disables it (default: disabled)",
     CONNECTION},
    {"proxyrandomize", FLAG, "",
     "Use new proxy credentials for each connection (Tor stream isolation) (default: 1)",
     CONNECTION},
    {"seednode", VALUE, "<ip>",
     "Connect to this peer only to learn addresses, then disconnect; may be given several "
     "times",
     CONNECTION},
    {"timeout", VALUE, "<n>", "Connection timeout in milliseconds (minimum 1, default: 5000)",
     CONNECTION},
    {"torcontrol", VALUE, "<ip>:<port>",
     "Tor control port used when onion listening is on (default: 127.0.0.1:9051)", CONNECTION,
     false, NOT_USED},
    {"torpassword", VALUE, "<pass>", "Password for the Tor control port", CONNECTION, false,
     NOT_USED},
    {"upnp", FLAG, "", "Map the listening port with UPnP (default: 0)", CONNECTION, false,
     NOT_USED},
    {"v2transport", FLAG, "", "Support the BIP324 v2 transport (default: 1)", CONNECTION, false,
     NOT_USED},
    {"whitebind", VALUE, "<[permissions@]addr>",
     "Listen on this address and give its peers these permissions (bloomfilter, noban, "
     "forcerelay, relay, mempool, download, addr); may be given several times",
     CONNECTION, false, NOT_USED},
    {"whitelist", VALUE, "<[permissions@]IP address or network>",
     "Give peers from this address or CIDR network these permissions; may be given several "
     "times",
     CONNECTION},

    // Wallet.
    {"disablewallet", FLAG, "", "Load no wallet and disable the wallet RPCs", WALLET, false,
     NOT_USED},
    {"fallbackfee", VALUE, "<amt>",
     "Fee rate (BTC/kvB) to use when fee estimation has too little data (default: 0.00)",
     WALLET, false, NOT_USED},
    {"wallet", VALUE, "<path>", "Load this wallet at startup; may be given several times",
     WALLET, NETWORK_ONLY, NOT_USED},
    {"walletdir", VALUE, "<dir>", "Directory holding the wallets (default: <datadir>/wallets)",
     WALLET, false, NOT_USED},
    {"walletnotify", VALUE, "<cmd>",
     "Run a command when a wallet transaction changes (%s becomes the txid)", WALLET, false,
     NOT_USED},

    // Debugging.
    {"checkblocks", VALUE, "<n>", "How many recent blocks to check at startup (default: 6, 0 = all)",
     DEBUGGING},
    {"checklevel", VALUE, "<n>", "How thorough the -checkblocks check is (0-4, default: 3)",
     DEBUGGING},
    {"debug", FLAG, "<category>",
     "Write debug log lines of this category (default: -nodebug). 1 or all selects every "
     "category; 0 or none turns all off. Categories: addrman, bench, blockstorage, cmpctblock, "
     "coindb, estimatefee, http, i2p, ipc, kernel, leveldb, libevent, lock, mempool, mempoolrej, "
     "net, proxy, prune, rand, reindex, rpc, scan, selectcoins, tor, txpackages, "
     "txreconciliation, validation, walletdb, zmq. May be given several times.",
     DEBUGGING},
    {"debugexclude", VALUE, "<category>",
     "Leave out debug log lines of this category, even with -debug=1; may be given several "
     "times",
     DEBUGGING},
    {"logips", FLAG, "", "Write IP addresses in the log (default: 0)", DEBUGGING},
    {"loglevelalways", FLAG, "", "Always write a category and level on log lines (default: 0)",
     DEBUGGING, false, NOT_USED},
    {"logsourcelocations", FLAG, "",
     "Start log lines with the source file, line and function (default: 0)", DEBUGGING},
    {"logthreadnames", FLAG, "", "Start log lines with the thread's name (default: 0)",
     DEBUGGING},
    {"logtimestamps", FLAG, "", "Start log lines with a UTC timestamp (default: 1)", DEBUGGING},
    {"mocktime", VALUE, "<n>",
     "Use <n> (seconds since the epoch) as the current time; regtest only (default: 0)",
     DEBUGGING},
    {"printtoconsole", FLAG, "",
     "Write the log to the console too (default: 1 without -daemon; -nodebuglogfile stops the "
     "file)",
     DEBUGGING},
    {"shrinkdebugfile", FLAG, "", "Shrink the log file at startup (default: 1 without -debug)",
     DEBUGGING},
    {"uacomment", VALUE, "<cmt>", "Add a comment to the user agent", DEBUGGING},

    // Chain selection.
    {"chain", VALUE, "<chain>",
     "Use the chain <chain> (default: main). Allowed values: main, test, testnet4, signet, "
     "regtest",
     CHAIN},
    {"regtest", FLAG, "",
     "Use the regression test chain, whose blocks can be mined instantly. Same as "
     "-chain=regtest.",
     CHAIN},
    {"signet", FLAG, "", "Use signet. Same as -chain=signet; -signetchallenge picks the network.",
     CHAIN},
    {"signetchallenge", VALUE, "<script>",
     "Script that signet blocks must satisfy (signet only; default: the global signet's "
     "challenge)",
     CHAIN},
    {"signetseednode", VALUE, "<host[:port]>",
     "Seed node for signet; may be given several times (default: the global signet's seeds)",
     CHAIN, false, NOT_USED},
    {"testactivationheight", VALUE, "<name@height>",
     "Set the activation height of a buried deployment (regtest only)", CHAIN},
    {"testnet", FLAG, "", "Use testnet3. Same as -chain=test. Testnet3 is deprecated.", CHAIN},
    {"testnet4", FLAG, "", "Use testnet4. Same as -chain=testnet4.", CHAIN},

    // Relay.
    {"bytespersigop", VALUE, "<n>",
     "Bytes each sigop counts as when relaying and mining (default: 20)", RELAY, false,
     NOT_USED},
    {"datacarrier", FLAG, "", "Relay and mine data carrier transactions (default: 1)", RELAY,
     false, NOT_USED},
    {"datacarriersize", VALUE, "<n>",
     "Largest total size of data carrier outputs to relay and mine (default: 100000)", RELAY,
     false, NOT_USED},
    {"minrelaytxfee", VALUE, "<amt>",
     "Fee rates (BTC/kvB) below this count as zero for relay and mining (default: 0.000001)",
     RELAY, false, NOT_USED},
    {"permitbaremultisig", FLAG, "", "Relay bare multisig outputs (default: 1)", RELAY, false,
     NOT_USED},
    {"whitelistforcerelay", FLAG, "",
     "Give the forcerelay permission to whitelisted peers with default permissions (default: "
     "0)",
     RELAY, false, NOT_USED},
    {"whitelistrelay", FLAG, "",
     "Give the relay permission to whitelisted peers with default permissions (default: 1)",
     RELAY, false, NOT_USED},

    // Mining.
    {"blockmaxweight", VALUE, "<n>", "Largest block weight to create (default: 4000000)",
     MINING},
    {"blockmintxfee", VALUE, "<amt>",
     "Lowest fee rate (BTC/kvB) of transactions put in new blocks (default: 0.00000001)",
     MINING},

    // RPC.
    {"rest", FLAG, "", "Serve public REST requests (default: 0)", RPC},
    {"rpcallowip", VALUE, "<ip>",
     "Accept JSON-RPC connections from this address, netmask or CIDR network; may be given "
     "several times",
     RPC},
    {"rpcauth", VALUE, "<userpw>",
     "User and salted HMAC-SHA-256 password hash, as <USERNAME>:<SALT>$<HASH>; may be given "
     "several times",
     RPC},
    {"rpcbind", VALUE, "<addr>[:port]",
     "Listen for JSON-RPC connections on this address (needs -rpcallowip; default: 127.0.0.1 "
     "and ::1); may be given several times",
     RPC, NETWORK_ONLY},
    {"rpccookiefile", VALUE, "<loc>",
     "Location of the authentication cookie, relative to the chain's data directory unless "
     "absolute (default: data dir)",
     RPC},
    {"rpccookieperms", FLAG, "<readable-by>",
     "Who may read the cookie file: owner, group or all (default: owner)", RPC},
    {"rpcpassword", VALUE, "<pw>", "Password for JSON-RPC connections", RPC},
    {"rpcport", VALUE, "<port>",
     "Listen for JSON-RPC connections on <port> (default: 8332, testnet3: 18332, testnet4: "
     "48332, signet: 38332, regtest: 18443)",
     RPC, NETWORK_ONLY},
    {"rpcservertimeout", VALUE, "<n>", "Timeout of HTTP requests in seconds (default: 30)", RPC},
    {"rpcthreads", VALUE, "<n>", "Number of threads serving RPC calls (default: 16)", RPC},
    {"rpcuser", VALUE, "<user>", "User name for JSON-RPC connections", RPC},
    {"rpcwhitelist", VALUE, "<whitelist>",
     "Limit a user to some RPC methods, as <USERNAME>:<rpc 1>,<rpc 2>,...; may be given "
     "several times",
     RPC},
    {"rpcwhitelistdefault", FLAG, "",
     "Whether users without a -rpcwhitelist entry get an empty whitelist once any is set",
     RPC},
    {"rpcworkqueue", VALUE, "<n>", "Depth of the queue of waiting RPC calls (default: 64)", RPC},
    {"server", FLAG, "", "Accept JSON-RPC commands", RPC},
});

}  // namespace

std::span<const OptionSpec> node_options() { return OPTIONS; }

const OptionSpec* find_option(std::span<const OptionSpec> options, std::string_view name) {
    for (const auto& option : options)
        if (option.name == name) return &option;
    return nullptr;
}

void register_options(ArgsParser& args, std::span<const OptionSpec> options) {
    for (const auto& option : options)
        args.add_option(std::string(option.name), option.kind, std::string(option.help),
                        std::string(option.value_hint), std::string(option.category));
}

void register_node_options(ArgsParser& args) { register_options(args, node_options()); }

std::vector<std::string> options_not_yet_used(const ArgsParser& args) {
    std::vector<std::string> names;
    for (const auto& option : node_options())
        if (option.not_used && args.is_set(option.name))
            names.push_back("-" + std::string(option.name));
    return names;
}

}  // namespace bitloom
