#include <algorithm>
#include <iostream>

#include "runtime/cli/options.hpp"
#include "runtime/common/error.hpp"
#include "runtime/lease/munge_credential.hpp"
#include "runtime/manager/manager.hpp"

namespace ferry::cli {

namespace {
bool parse_manager_settings(const Arguments& args, manager::Settings& settings) {
  std::string listen = "127.0.0.1:0";
  std::string secret_file;
  unsigned heartbeat_ms = 500;
  unsigned spawner_timeout_s = 300;
  unsigned silent_ms = 30000;
  unsigned first_spawner_wait_ms = 0;
  std::string state_file;
  std::string auth = "none";
  po::options_description options("ferry manager: grants leases on registered spawners and collects their usage");
  options.add_options()
      ("listen", po::value(&listen)->default_value(listen), "address to listen on, host:port (port 0: any free port)")
      ("secret-file", po::value(&secret_file)->required(), "cluster secret shared with the spawners (mode 0600; see `ferry secret`)")
      ("heartbeat-ms", po::value(&heartbeat_ms)->default_value(heartbeat_ms),
       "spawner heartbeat period; a spawner silent for 4 periods gets no new leases until it answers")
      ("spawner-timeout-s", po::value(&spawner_timeout_s)->default_value(spawner_timeout_s),
       "a spawner silent this long is dropped and its leases revoked (one that dies is dropped at once)")
      ("silent-connection-ms", po::value(&silent_ms)->default_value(silent_ms),
       "a connection that sends nothing for this long after it is made is closed")
      ("first-spawner-wait-ms", po::value(&first_spawner_wait_ms)->default_value(first_spawner_wait_ms),
       "lease requests that come before any spawner has registered wait for one, up to this long after the "
       "manager started")
      ("state-file", po::value(&state_file),
       "SQLite file that keeps the active leases, so that a restarted manager honours them (default: none)")
      ("auth", po::value(&auth)->default_value(auth),
       "how the owner of a lease request is proven: none (the uid the client claims; one user or a trusted "
       "network) or munge (the uid of the request's munge credential; needed for spawners run as root)")
      ("munge-socket", po::value(&settings.owner_check.munge_socket),
       "munged's socket for --auth munge (default: FERRY_MUNGE_SOCKET, then munge's own default)");
  po::variables_map values;
  if (!parse_options(args, "ferry manager --secret-file FILE [options]", options, values)) return false;
  settings.listen = ucx::SocketAddress::parse(listen);
  settings.owner_check.authentication = lease::parse_authentication(auth);
  settings.owner_check.munge_socket = lease::munge_socket_path(settings.owner_check.munge_socket);
  settings.secret = lease::Secret::load(secret_file);
  settings.heartbeat = std::chrono::milliseconds(heartbeat_ms);
  settings.spawner_timeout = std::chrono::seconds(spawner_timeout_s);
  settings.silent_connection_timeout = std::chrono::milliseconds(std::max(silent_ms, 1U));
  settings.state_file = state_file;
  settings.first_spawner_wait = std::chrono::milliseconds(first_spawner_wait_ms);
  if (heartbeat_ms == 0 || spawner_timeout_s == 0) {
    throw Error(Errc::invalid_argument, "--heartbeat-ms and --spawner-timeout-s must be positive");
  }
  return true;
}

// Refusing every lease for want of munged is a setup error the admin should see at once.
void check_munge_reachable(const lease::OwnerCheck& check) {
  if (check.authentication != lease::Authentication::munge) return;
  try {
    lease::decode_munge_credential(check.munge_socket, lease::encode_munge_credential(check.munge_socket, ""));
  } catch (const Error& error) {
    std::cerr << "ferry manager: warning: --auth munge, but munged does not answer here: " << error.what()
              << "; every lease request is refused until it does" << std::endl;
  }
}
}  // namespace

int run_manager_command(const Arguments& args) {
  manager::Settings settings;
  if (!parse_manager_settings(args, settings)) return 0;
  check_munge_reachable(settings.owner_check);
  block_termination_signals();
  manager::Manager manager(settings);
  std::cout << "ferry manager listening on " << manager.address().to_string() << std::endl;
  run_until_signalled(manager);
  return 0;
}

}  // namespace ferry::cli
