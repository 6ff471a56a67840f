// bitloom-cli: command-line client for bitloomd's JSON-RPC interface, with bitcoin-cli's
// options, argument conversion, output and exit codes.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common_options.h"
#include "consensus/chainparams.h"
#include "rpc/auth.h"
#include "rpc/client.h"
#include "rpc/http_client.h"
#include "rpc/json.h"
#include "rpc/json_rpc.h"
#include "util/args.h"
#include "util/version.h"

using namespace bitloom;

namespace {

constexpr int DEFAULT_CLIENT_TIMEOUT_S = 900;

// A failure to reach the server: retried under -rpcwait (bitcoin-cli's CConnectionFailed).
struct ConnectionFailed {
    std::string message;
};
// Any other failure: printed as "error: <message>", exit 1.
struct CliError {
    std::string message;
};

// bitloom.conf: `name=value` lines, `#` comments, `[chain]` sections.
struct ConfigFile {
    std::map<std::string, std::string> top;
    std::map<std::string, std::map<std::string, std::string>> sections;
};

std::string trim(std::string text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::optional<ConfigFile> read_config(const std::filesystem::path& path, std::string& error) {
    std::ifstream file(path);
    if (!file) return std::nullopt;
    ConfigFile config;
    std::string section;
    std::string line;
    int number = 0;
    while (std::getline(file, line)) {
        ++number;
        if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        line = trim(line);
        if (line.empty()) continue;
        if (line.front() == '[' && line.back() == ']') {
            section = line.substr(1, line.size() - 2);
            continue;
        }
        const auto equals = line.find('=');
        if (equals == std::string::npos) {
            error = "Error reading configuration file: parse error on line " + std::to_string(number) +
                    ": " + line;
            return std::nullopt;
        }
        std::string name = trim(line.substr(0, equals));
        std::string value = trim(line.substr(equals + 1));
        if (name.starts_with("-")) name.erase(0, 1);
        auto dot = name.find('.');
        if (dot != std::string::npos) {  // "regtest.rpcport=..." is a section setting
            config.sections[name.substr(0, dot)][name.substr(dot + 1)] = value;
        } else if (section.empty()) {
            config.top[name] = value;
        } else {
            config.sections[section][name] = value;
        }
    }
    return config;
}

std::string chain_section(ChainType chain) {
    switch (chain) {
        case ChainType::main: return "main";
        case ChainType::testnet: return "test";
        case ChainType::testnet4: return "testnet4";
        case ChainType::signet: return "signet";
        case ChainType::regtest: return "regtest";
    }
    return "main";
}

std::string net_subdir(ChainType chain) {
    switch (chain) {
        case ChainType::main: return "";
        case ChainType::testnet: return "testnet3";
        case ChainType::testnet4: return "testnet4";
        case ChainType::signet: return "signet";
        case ChainType::regtest: return "regtest";
    }
    return "";
}

std::filesystem::path default_datadir() {
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : "/") / ".bitloom";
}

// Settings from the command line, then the chain's config section, then the config's top
// level (network-only options, as in Core, are taken from the top level only on main).
class Settings {
public:
    Settings(const ArgsParser& args, std::optional<ConfigFile> config, ChainType chain)
        : args_(args), config_(std::move(config)), chain_(chain) {}

    std::optional<std::string> get(const std::string& name) const {
        if (auto value = args_.get(name)) return value;
        if (!config_) return std::nullopt;
        if (auto section = config_->sections.find(chain_section(chain_)); section != config_->sections.end())
            if (auto it = section->second.find(name); it != section->second.end()) return it->second;
        const bool network_only = name == "rpcport" || name == "rpcbind" || name == "port";
        if (network_only && chain_ != ChainType::main) return std::nullopt;
        if (auto it = config_->top.find(name); it != config_->top.end()) return it->second;
        return std::nullopt;
    }
    std::string get_or(const std::string& name, std::string fallback) const {
        return get(name).value_or(std::move(fallback));
    }

private:
    const ArgsParser& args_;
    std::optional<ConfigFile> config_;
    ChainType chain_;
};

struct Connection {
    std::string host;
    std::uint16_t port = 0;
    std::string credentials;  // "user:password"
    bool cookie_missing = false;
    std::string config_path;
    std::chrono::milliseconds timeout{DEFAULT_CLIENT_TIMEOUT_S * 1000};
    std::string path = "/";
};

std::string libevent_error_suffix(HttpClientError error) {
    switch (error) {
        case HttpClientError::timeout: return " (error code 0 - \"timeout reached\")";
        case HttpClientError::closed: return " (error code 1 - \"EOF reached\")";
        case HttpClientError::bad_response:
            return " (error code 2 - \"error while reading header, or invalid header\")";
        case HttpClientError::io_error: return " (error code 1 - \"EOF reached\")";
        case HttpClientError::connect_failed: return "";
    }
    return "";
}

// One HTTP exchange with bitcoin-cli's interpretation of the HTTP status. Returns the body.
std::string call_http(const Connection& connection, const std::string& body) {
    HttpClientOptions options;
    options.host = connection.host;
    options.port = connection.port;
    options.timeout = connection.timeout;
    HttpClient client(options);
    auto response = client.post_json(connection.path, body, connection.credentials);
    if (!response) {
        throw ConnectionFailed{"Could not connect to the server " + connection.host + ":" +
                               std::to_string(connection.port) +
                               libevent_error_suffix(response.error().error) +
                               "\n\nMake sure the bitloomd server is running and that you are "
                               "connecting to the correct RPC port.\nUse \"bitloom-cli -help\" for "
                               "more info."};
    }
    const int status = response->status;
    if (status == HTTP_UNAUTHORIZED) {
        if (connection.cookie_missing)
            throw CliError{"Could not locate RPC credentials. No authentication cookie could be "
                           "found, and RPC password is not set.  See -rpcpassword and "
                           "-stdinrpcpass.  Configuration file: (" +
                           connection.config_path + ")"};
        throw CliError{"Authorization failed: Incorrect rpcuser or rpcpassword"};
    }
    if (status == HTTP_SERVICE_UNAVAILABLE) throw CliError{"Server response: " + response->body};
    if (status >= 400 && status != HTTP_BAD_REQUEST && status != HTTP_NOT_FOUND &&
        status != HTTP_INTERNAL_SERVER_ERROR)
        throw CliError{"server returned HTTP error " + std::to_string(status)};
    if (response->body.empty()) throw CliError{"no response from server"};
    return std::move(response->body);
}

// Calls with -rpcwait's retry loop: connection failures and warmup replies are retried
// every second until the server answers or the wait times out.
std::string call_with_wait(const Connection& connection, const std::string& body, bool wait,
                           std::chrono::seconds wait_timeout) {
    const auto deadline = std::chrono::steady_clock::now() + wait_timeout;
    while (true) {
        try {
            std::string reply = call_http(connection, body);
            if (wait) {
                const auto parsed = parse_json(reply);
                if (parsed && parsed->is_object() && parsed->contains("error") &&
                    (*parsed)["error"].is_object() && (*parsed)["error"].value("code", 0) ==
                                                          static_cast<int>(RpcErrorCode::IN_WARMUP))
                    throw ConnectionFailed{"server in warmup"};
            }
            return reply;
        } catch (const ConnectionFailed& failure) {
            if (!wait) throw;
            if (wait_timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline)
                throw CliError{"timeout on transient error: " + failure.message};
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

std::string request_body(const std::string& method, const Json& params, const Json& id) {
    Json request = Json::object();
    request["method"] = method;
    request["params"] = params;
    request["id"] = id;
    return write_json(request);
}

// Formats a number member of `object` as the server wrote it (best effort after parsing).
std::string value_text(const Json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_null()) return "";
    return write_json(value);
}

std::string progress_bar(double progress) {
    std::string bar;
    if (progress < 0 || progress > 1) return bar;
    constexpr double INCREMENT = 0.05;
    for (int i = 0; i < progress / INCREMENT; ++i) bar += "\u2592";
    for (int i = 0; i < (1 - progress) / INCREMENT; ++i) bar += "\u2591";
    return bar;
}

// -getinfo: getnetworkinfo and getblockchaininfo in one batch, printed like bitcoin-cli.
// Returns the exit code.
int run_getinfo(const Connection& connection, bool wait, std::chrono::seconds wait_timeout) {
    Json batch = Json::array();
    for (const auto& [id, method] : {std::pair{0, "getnetworkinfo"}, std::pair{1, "getblockchaininfo"}}) {
        Json request = Json::object();
        request["method"] = method;
        request["params"] = Json::array();
        request["id"] = id;
        batch.push_back(std::move(request));
    }
    const std::string reply_text = call_with_wait(connection, write_json(batch), wait, wait_timeout);
    const auto reply = parse_json(reply_text);
    if (!reply || !reply->is_array() || reply->size() != 2)
        throw CliError{"couldn't parse reply from server"};
    Json network;
    Json chain;
    for (const auto& item : *reply) {
        if (!item.is_object()) throw CliError{"couldn't parse reply from server"};
        if (item.contains("error") && !item["error"].is_null()) {
            const Json& error = item["error"];
            std::fprintf(stderr, "error code: %s\nerror message:\n%s\n",
                         value_text(error.value("code", Json())).c_str(),
                         value_text(error.value("message", Json())).c_str());
            return std::abs(error.value("code", 1));
        }
        (item.value("id", -1) == 0 ? network : chain) = item.value("result", Json());
    }
    std::string text;
    text += "Chain: " + value_text(chain.value("chain", Json())) + "\n";
    text += "Blocks: " + value_text(chain.value("blocks", Json())) + "\n";
    text += "Headers: " + value_text(chain.value("headers", Json())) + "\n";
    const double progress = chain.value("verificationprogress", 0.0);
    std::string bar;
    if (progress < 0.99) bar = progress_bar(progress) + " ";
    char progress_text[64];
    std::snprintf(progress_text, sizeof(progress_text), "%.4f%%", progress * 100);
    text += "Verification progress: " + bar + progress_text + "\n";
    text += "Difficulty: " + value_text(chain.value("difficulty", Json())) + "\n\n";
    text += "Network: in " + value_text(network.value("connections_in", Json())) + ", out " +
            value_text(network.value("connections_out", Json())) + ", total " +
            value_text(network.value("connections", Json())) + "\n";
    text += "Version: " + value_text(network.value("version", Json())) + "\n";
    text += "Time offset (s): " + value_text(network.value("timeoffset", Json())) + "\n";
    std::vector<std::string> ordered_proxies;
    std::map<std::string, std::vector<std::string>> proxy_networks;
    if (network.contains("networks") && network["networks"].is_array()) {
        for (const auto& net : network["networks"]) {
            const std::string proxy = value_text(net.value("proxy", Json()));
            if (proxy.empty()) continue;
            if (!proxy_networks.contains(proxy)) ordered_proxies.push_back(proxy);
            proxy_networks[proxy].push_back(value_text(net.value("name", Json())));
        }
    }
    std::string proxies;
    for (const auto& proxy : ordered_proxies) {
        if (!proxies.empty()) proxies += ", ";
        std::string names;
        for (const auto& name : proxy_networks[proxy]) names += (names.empty() ? "" : ", ") + name;
        proxies += proxy + " (" + names + ")";
    }
    text += "Proxies: " + (proxies.empty() ? std::string("n/a") : proxies) + "\n";
    std::string relay_fee = "0.00000000";
    if (auto sats = amount_from_json(network.value("relayfee", Json(0))); sats)
        relay_fee = write_json(amount_to_json(*sats));
    text += "Min tx relay fee rate (BTC/kvB): " + relay_fee + "\n\n";
    std::string warnings;
    const Json warning_value = network.value("warnings", Json());
    if (warning_value.is_array()) {
        for (const auto& w : warning_value) warnings += (warnings.empty() ? "" : "\n") + value_text(w);
    } else {
        warnings = value_text(warning_value);
    }
    text += "Warnings: " + (warnings.empty() ? std::string("(none)") : warnings);
    std::printf("%s\n", text.c_str());
    return 0;
}

// Prints one reply as bitcoin-cli does; returns the exit code.
int print_reply(const std::string& reply_text) {
    const auto reply = parse_json(reply_text);
    if (!reply) throw CliError{"couldn't parse reply from server"};
    if (!reply->is_object()) throw CliError{"expected reply to have result, error and id properties"};
    const Json& error = reply->contains("error") ? (*reply)["error"] : Json();
    if (!error.is_null()) {
        std::string text;
        int code = 1;
        if (error.is_object()) {
            if (error.contains("code") && !error["code"].is_null()) {
                text = "error code: " + value_text(error["code"]) + "\n";
                if (error["code"].is_number_integer()) code = std::abs(error["code"].get<int>());
            }
            if (error.contains("message") && error["message"].is_string())
                text += "error message:\n" + error["message"].get<std::string>();
            if (error.value("code", 0) == static_cast<int>(RpcErrorCode::WALLET_NOT_SPECIFIED))
                text += " Or for the CLI, specify the \"-rpcwallet=<walletname>\" option.";
        } else {
            text = "error: " + write_json(error);
        }
        std::fprintf(stderr, "%s\n", text.c_str());
        return code;
    }
    const Json& result = reply->contains("result") ? (*reply)["result"] : Json();
    if (result.is_null()) return 0;
    if (result.is_string()) {
        std::printf("%s\n", result.get<std::string>().c_str());
        return 0;
    }
    // Re-indent the server's own text so numbers print exactly as sent ("0.00001000").
    std::string printed;
    if (auto raw = json_raw_member(reply_text, "result"))
        if (auto pretty = pretty_json_text(*raw, 2)) printed = *pretty;
    if (printed.empty()) printed = write_json(result, 2);
    std::printf("%s\n", printed.c_str());
    return 0;
}

std::optional<std::uint16_t> parse_port(const std::string& text) {
    if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const int value = std::stoi(text);
    if (value < 1 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

std::string url_encode(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            char buffer[4];
            std::snprintf(buffer, sizeof(buffer), "%%%02X", byte);
            out += buffer;
        }
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    ArgsParser args;
    apps::add_general_options(args);
    args.add_option("rpcconnect", ArgsParser::Kind::value,
                    "Send commands to node running on <ip> (default: 127.0.0.1)", "<ip>");
    args.add_option("rpcport", ArgsParser::Kind::value,
                    "Connect to JSON-RPC on <port> (default: 8332, testnet: 18332, testnet4: "
                    "48332, signet: 38332, regtest: 18443)",
                    "<port>");
    args.add_option("rpcuser", ArgsParser::Kind::value, "Username for JSON-RPC connections",
                    "<user>");
    args.add_option("rpcpassword", ArgsParser::Kind::value, "Password for JSON-RPC connections",
                    "<pw>");
    args.add_option("rpccookiefile", ArgsParser::Kind::value,
                    "Location of the auth cookie. Relative paths will be prefixed by a "
                    "net-specific datadir location. (default: data dir)",
                    "<loc>");
    args.add_option("rpcclienttimeout", ArgsParser::Kind::value,
                    "Timeout in seconds during HTTP requests, or 0 for no timeout. (default: 900)",
                    "<n>");
    args.add_option("rpcwait", ArgsParser::Kind::flag, "Wait for RPC server to start");
    args.add_option("rpcwaittimeout", ArgsParser::Kind::value,
                    "Timeout in seconds to wait for the RPC server to start, or 0 for no timeout. "
                    "(default: 0)",
                    "<n>");
    args.add_option("rpcwallet", ArgsParser::Kind::value,
                    "Send RPC for non-default wallet on RPC server (needs to exactly match "
                    "corresponding -wallet option passed to bitloomd).",
                    "<walletname>");
    args.add_option("named", ArgsParser::Kind::flag,
                    "Pass named instead of positional arguments (default: false)");
    args.add_option("stdin", ArgsParser::Kind::flag,
                    "Read extra arguments from standard input, one per line until EOF/Ctrl-D "
                    "(recommended for sensitive information such as passphrases). When combined "
                    "with -stdinrpcpass, the first line from standard input is used for the RPC "
                    "password.");
    args.add_option("stdinrpcpass", ArgsParser::Kind::flag,
                    "Read RPC password from standard input as a single line. When combined with "
                    "-stdin, the first line from standard input is used for the RPC password.");
    args.add_option("getinfo", ArgsParser::Kind::flag,
                    "Get general information from the remote server. Note that unlike "
                    "server-side RPC calls, the output of -getinfo is the result of multiple "
                    "non-atomic requests.");
    apps::add_chain_options(args);

    if (auto parsed = args.parse(argc, argv); !parsed) {
        std::fprintf(stderr, "Error parsing command line arguments: %s\n",
                     parsed.error().message().c_str());
        return 1;
    }
    if (args.get_bool("version", false)) {
        std::printf("%s\n", version_line("bitloom-cli").c_str());
        return 0;
    }
    const bool getinfo = args.get_bool("getinfo", false);
    if (apps::wants_help(args) || (args.positional().empty() && !getinfo && !args.get_bool("stdin", false))) {
        std::printf(
            "%s\n\nThe bitloom-cli utility provides a command line interface to interact with a "
            "bitloom node.\n\nUsage:  bitloom-cli [options] <command> [params]\n"
            "or:     bitloom-cli [options] -named <command> [name=value]...\n"
            "or:     bitloom-cli [options] help\n"
            "or:     bitloom-cli [options] help <command>\n\n%s",
            version_line("bitloom-cli").c_str(), args.help_text().c_str());
        return apps::wants_help(args) ? 0 : 1;
    }

    try {
        // Data directory and configuration file.
        const std::filesystem::path datadir =
            args.get("datadir") ? std::filesystem::path(*args.get("datadir")) : default_datadir();
        if (args.get("datadir") && !std::filesystem::is_directory(datadir))
            throw CliError{"Specified data directory \"" + datadir.string() + "\" does not exist."};
        std::filesystem::path config_path = args.get_or("conf", "bitloom.conf");
        if (config_path.is_relative()) config_path = datadir / config_path;
        std::string config_error;
        auto config = read_config(config_path, config_error);
        if (!config_error.empty()) throw CliError{config_error};
        if (args.get("conf") && !config)
            throw CliError{"specified config file \"" + config_path.string() + "\" could not be opened."};

        // Chain: the command line, or else the config file's top level.
        std::string chain_error;
        auto chain = apps::selected_chain(args, chain_error);
        if (!chain) {
            std::fprintf(stderr, "%s\n", chain_error.c_str());
            return 1;
        }
        const bool chain_on_command_line = args.is_set("chain") || args.is_set("regtest") ||
                                           args.is_set("testnet") || args.is_set("testnet4") ||
                                           args.is_set("signet");
        if (!chain_on_command_line && config) {
            const auto& top = config->top;
            if (auto it = top.find("chain"); it != top.end()) {
                if (auto parsed = parse_chain_type(it->second)) chain = *parsed;
            }
            for (const auto& [name, type] :
                 {std::pair{"regtest", ChainType::regtest}, std::pair{"testnet", ChainType::testnet},
                  std::pair{"testnet4", ChainType::testnet4}, std::pair{"signet", ChainType::signet}}) {
                if (auto it = top.find(name); it != top.end() && it->second == "1") chain = type;
            }
        }
        const Settings settings(args, std::move(config), *chain);

        // Where to connect.
        Connection connection;
        connection.config_path = config_path.string();
        std::string host = settings.get_or("rpcconnect", "127.0.0.1");
        std::optional<std::uint16_t> port;
        if (!host.empty() && host.front() == '[') {
            const auto close = host.find(']');
            if (close != std::string::npos) {
                if (close + 1 < host.size() && host[close + 1] == ':')
                    port = parse_port(host.substr(close + 2));
                host = host.substr(1, close - 1);
            }
        } else if (std::count(host.begin(), host.end(), ':') == 1) {
            const auto colon = host.find(':');
            port = parse_port(host.substr(colon + 1));
            if (!port) throw CliError{"Invalid port provided in -rpcconnect: " + host};
            host = host.substr(0, colon);
        }
        if (auto rpcport = settings.get("rpcport")) {
            port = parse_port(*rpcport);
            if (!port) throw CliError{"Invalid port provided in -rpcport: " + *rpcport};
        }
        connection.host = host;
        connection.port = port.value_or(chain_params(*chain).rpc_port);
        const std::string timeout_text = settings.get_or("rpcclienttimeout", std::to_string(DEFAULT_CLIENT_TIMEOUT_S));
        connection.timeout = std::chrono::seconds(std::atoll(timeout_text.c_str()));
        if (auto wallet = settings.get("rpcwallet")) connection.path = "/wallet/" + url_encode(*wallet);

        // Arguments, possibly extended from standard input.
        std::vector<std::string> arguments = args.positional();
        std::optional<std::string> password = settings.get("rpcpassword");
        if (args.get_bool("stdinrpcpass", false)) {
            std::string line;
            if (!std::getline(std::cin, line)) throw CliError{"-stdinrpcpass specified but failed to read from standard input"};
            password = line;
        }
        if (args.get_bool("stdin", false)) {
            std::string line;
            while (std::getline(std::cin, line)) arguments.push_back(line);
        }

        // Credentials: -rpcpassword, or else the cookie.
        if (!password || password->empty()) {
            std::filesystem::path cookie = settings.get_or("rpccookiefile", ".cookie");
            if (cookie.is_relative()) cookie = datadir / net_subdir(*chain) / cookie;
            if (auto credentials = read_cookie_file(cookie)) {
                connection.credentials = *credentials;
            } else {
                connection.cookie_missing = true;
                connection.credentials = settings.get_or("rpcuser", "") + ":" + password.value_or("");
            }
        } else {
            connection.credentials = settings.get_or("rpcuser", "") + ":" + *password;
        }

        const bool wait = args.get_bool("rpcwait", false);
        const auto wait_timeout =
            std::chrono::seconds(std::atoll(settings.get_or("rpcwaittimeout", "0").c_str()));

        if (getinfo) {
            if (!arguments.empty()) throw CliError{"-getinfo takes no arguments"};
            return run_getinfo(connection, wait, wait_timeout);
        }
        if (arguments.empty()) throw CliError{"too few parameters (need at least command)"};
        const std::string method = arguments.front();
        const std::vector<std::string> params(arguments.begin() + 1, arguments.end());
        Json json_params;
        try {
            json_params = args.get_bool("named", false) ? rpc_convert_named_values(method, params)
                                                        : rpc_convert_values(method, params);
        } catch (const RpcError& e) {
            throw CliError{e.message};
        }
        const std::string reply = call_with_wait(connection, request_body(method, json_params, 1), wait, wait_timeout);
        return print_reply(reply);
    } catch (const ConnectionFailed& e) {
        std::fprintf(stderr, "error: %s\n", e.message.c_str());
        return 1;
    } catch (const CliError& e) {
        std::fprintf(stderr, "error: %s\n", e.message.c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
