// Compiled as C++17 with ASIO_STANDALONE: websocketpp 0.8.2 does not build as C++20.
// One endpoint and one I/O thread live as long as the client; each connect()
// makes a new connection whose events carry a generation number, so events of
// an abandoned connection never touch the current one's state.
#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "adapters/remote/websocket_client.hpp"

namespace gauntlet::adapters {

using Endpoint = websocketpp::client<websocketpp::config::asio_client>;

struct WebsocketClient::Impl {
  Endpoint endpoint;
  std::thread io;

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::uint64_t generation = 0;  // of the current connection
  websocketpp::connection_hdl handle;
  bool open = false;
  bool closed = true;  // the current connection ended (or none was made)
  std::string close_reason;
  std::deque<Message> inbox;

  // Runs `f` under the lock if the event belongs to the current connection.
  template <typename F>
  void on_current(std::uint64_t g, F&& f) {
    std::lock_guard<std::mutex> lock(mutex);
    if (g != generation) return;
    f();
    changed.notify_all();
  }

  void mark_closed(std::uint64_t g, const std::string& reason) {
    on_current(g, [&] {
      if (!closed) {
        closed = true;
        close_reason = reason;
      }
    });
  }

  // Ends the current connection (if any) without waiting for the peer.
  void abandon() {
    websocketpp::connection_hdl h;
    bool was_open = false;
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++generation;  // late events of the old connection are ignored
      h = handle;
      was_open = open && !closed;
      open = false;
      closed = true;
      inbox.clear();
    }
    if (was_open) {
      websocketpp::lib::error_code ec;
      endpoint.close(h, websocketpp::close::status::normal, "client done", ec);
    }
  }
};

WebsocketClient::WebsocketClient() : impl_(std::make_unique<Impl>()) {
  Endpoint& ep = impl_->endpoint;
  ep.clear_access_channels(websocketpp::log::alevel::all);
  ep.clear_error_channels(websocketpp::log::elevel::all);
  ep.init_asio();
  ep.start_perpetual();
  ep.set_close_handshake_timeout(1000);
  // Replies are action chunks and metadata: 64 MiB is far beyond any real one.
  ep.set_max_message_size(64u << 20);
  // Small request/reply messages: Nagle's algorithm would add up to 40 ms.
  ep.set_socket_init_handler([](const websocketpp::connection_hdl&, asio::ip::tcp::socket& socket) {
    asio::error_code ec;
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
  });
  impl_->io = std::thread([&ep] { ep.run(); });
}

WebsocketClient::~WebsocketClient() {
  Impl& s = *impl_;
  s.abandon();
  s.endpoint.stop_perpetual();
  // Give a close handshake a moment, then stop the I/O loop regardless.
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  s.endpoint.stop();
  if (s.io.joinable()) s.io.join();
}

void WebsocketClient::close() {
  impl_->abandon();
}

bool WebsocketClient::connected() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->open && !impl_->closed;
}

void WebsocketClient::connect(const std::string& uri, std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  s.abandon();
  websocketpp::lib::error_code ec;
  Endpoint::connection_ptr con = s.endpoint.get_connection(uri, ec);
  if (ec)
    throw std::invalid_argument("'" + uri +
                                "' is not a websocket URI (ws://HOST:PORT): " + ec.message());
  std::uint64_t g = 0;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    g = ++s.generation;
    s.handle = con->get_handle();
    s.open = false;
    s.closed = false;
    s.close_reason.clear();
    s.inbox.clear();
  }
  con->set_open_handshake_timeout(static_cast<long>(timeout.count()));
  con->set_open_handler(
      [&s, g](const websocketpp::connection_hdl&) { s.on_current(g, [&] { s.open = true; }); });
  con->set_fail_handler([&s, g](const websocketpp::connection_hdl& h) {
    websocketpp::lib::error_code e;
    const auto c = s.endpoint.get_con_from_hdl(h, e);
    s.mark_closed(g, c ? c->get_ec().message() : std::string("connection failed"));
  });
  con->set_close_handler([&s, g](const websocketpp::connection_hdl& h) {
    websocketpp::lib::error_code e;
    const auto c = s.endpoint.get_con_from_hdl(h, e);
    std::string reason = "the server closed the connection";
    if (c) {
      reason += " (code " + std::to_string(c->get_remote_close_code());
      if (!c->get_remote_close_reason().empty()) reason += ": " + c->get_remote_close_reason();
      reason += ")";
    }
    s.mark_closed(g, reason);
  });
  con->set_message_handler(
      [&s, g](const websocketpp::connection_hdl&, const Endpoint::message_ptr& msg) {
        Message m;
        m.binary = msg->get_opcode() == websocketpp::frame::opcode::binary;
        m.payload = std::move(msg->get_raw_payload());
        s.on_current(g, [&] { s.inbox.push_back(std::move(m)); });
      });
  s.endpoint.connect(con);

  std::unique_lock<std::mutex> lock(s.mutex);
  const bool done = s.changed.wait_for(lock, timeout + std::chrono::milliseconds(100),
                                       [&s] { return s.open || s.closed; });
  if (!done || !s.open) {
    const std::string reason =
        done ? s.close_reason : "timed out after " + std::to_string(timeout.count()) + " ms";
    lock.unlock();
    s.abandon();
    throw ConnectionLost("cannot connect to " + uri + ": " + reason);
  }
}

void WebsocketClient::send_binary(const std::string& payload) {
  Impl& s = *impl_;
  websocketpp::connection_hdl h;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (!s.open || s.closed)
      throw ConnectionLost(s.close_reason.empty() ? "not connected" : s.close_reason);
    h = s.handle;
  }
  websocketpp::lib::error_code ec;
  s.endpoint.send(h, payload.data(), payload.size(), websocketpp::frame::opcode::binary, ec);
  if (ec) throw ConnectionLost("send failed: " + ec.message());
}

WebsocketClient::Message WebsocketClient::receive(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  std::unique_lock<std::mutex> lock(s.mutex);
  const bool ready =
      s.changed.wait_for(lock, timeout, [&s] { return !s.inbox.empty() || s.closed; });
  if (!s.inbox.empty()) {
    Message m = std::move(s.inbox.front());
    s.inbox.pop_front();
    return m;
  }
  if (!ready) throw ReceiveTimeout("no reply within " + std::to_string(timeout.count()) + " ms");
  throw ConnectionLost(s.close_reason.empty() ? "the connection closed" : s.close_reason);
}

}  // namespace gauntlet::adapters
