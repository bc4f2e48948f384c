// ClickHouse's HTTP interface over chDB (the current ClickHouse engine, in process; npm package `chdb`), so tests
// can run the writer against the SQL of a current server too: Debian ships only 18.16. Serves POST/GET / with
// `query` and `database` parameters and the body as the rest of the statement (an INSERT's rows), and /ping.
// Usage: node chdb-front.js PORT DATA_DIR   (NODE_PATH must find chdb)
const http = require('http');
const { Session } = require('chdb');

const session = new Session(process.argv[3]);
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (url.pathname === '/ping') {
      res.end('Ok.\n');
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const param = url.searchParams.get('query') || '';
    const sql = param ? (body ? param + '\n' + body : param) : body;
    const database = url.searchParams.get('database');
    try {
      if (database && !/^\s*(CREATE|DROP)\s+DATABASE/i.test(sql)) {
        session.query('USE ' + database, 'CSV');
      }
      res.end(session.query(sql, 'TabSeparated') || '');
    } catch (e) {
      res.statusCode = 500;
      res.end(String((e && e.message) || e));
    }
  });
}).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));
