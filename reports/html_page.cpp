#include "reports/html_page.hpp"

#include <cstdio>

#include "reports/svg.hpp"

namespace gauntlet::reports {
namespace {

constexpr const char* kStyle = R"CSS(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:0 20px 40px;color:#1b1b1b}
h1{font-size:1.6em;margin:20px 0 4px}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0;font-size:14px}th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:right}
th{background:#f5f6f8;position:sticky;top:0}td.name,th:nth-child(2),td:nth-child(2){text-align:left}
table.sortable th{cursor:pointer;user-select:none}table.sortable th[aria-sort=ascending]::after{content:" \25B2"}
table.sortable th[aria-sort=descending]::after{content:" \25BC"}td.group{font-weight:bold;text-align:center}
tr.sig td{background:#fff8e6}.note{color:#555;font-size:13px;max-width:900px}.warning{color:#8a4b00;font-size:13px}
.multiples{display:flex;flex-wrap:wrap;gap:8px}.chart{overflow-x:auto}
figure{display:inline-block;margin:4px 12px 4px 0}figure img{width:192px;height:192px;image-rendering:pixelated;border:1px solid #ccc}
figcaption{font-size:12px;color:#444}figure.preview img{width:auto;height:auto;max-width:100%;image-rendering:auto}footer{margin-top:40px;font-size:13px}code{font-size:12px}
nav a{margin-right:14px}.tabs a.active{font-weight:bold}
table.pairs td:nth-child(-n+2),table.pairs th:nth-child(-n+2),footer td,footer th,#submissions td{text-align:left}
)CSS";

// Sorts a table by the clicked column using each cell's data-sort value.
constexpr const char* kScript = R"JS(
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th, col){
    th.addEventListener('click', function(){
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function(h){ h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var numeric = th.dataset.type === 'num';
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function(a, b){
        var x = a.cells[col].dataset.sort || a.cells[col].textContent;
        var y = b.cells[col].dataset.sort || b.cells[col].textContent;
        var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return asc ? c : -c;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
)JS";

}  // namespace

std::string html_page(const std::string& title, const std::string& body) {
  return std::string("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n") +
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src "
         "data:; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n" +
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         escape_xml(title) + "</title>\n<style>" + kStyle + "</style></head>\n<body>\n" + body +
         "<script>" + kScript + "</script>\n</body></html>\n";
}

std::string base64_encode(const std::string& bytes) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += kTable[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kTable[(v >> 18) & 63];
    out += kTable[(v >> 12) & 63];
    out += kTable[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string read_binary_file(const std::filesystem::path& path) {
  std::string out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

}  // namespace gauntlet::reports
