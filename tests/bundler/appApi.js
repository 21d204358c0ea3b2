/**
 * The test app's API, served beside the built app (app.test.ts) and as
 * middleware of the Vite dev server (buildApp.js vite-dev): the items the
 * app loads, a failing call, and `POST /trace`, where the page sends its
 * trace. Returns true when it handled the request.
 */
const itemIds = [1, 2, 3, 4];

function handleApi(req, res, onTrace) {
  const url = req.url ?? '/';
  const item = /^\/api\/item\/(\d+)$/.exec(url);
  if (url === '/api/items') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(itemIds));
  } else if (item != null) {
    const id = Number(item[1]);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, name: `item ${id}` }));
    }, id * 3);
  } else if (url === '/api/fail') {
    res.writeHead(500).end();
  } else if (url === '/trace' && req.method === 'POST') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.writeHead(204).end();
      onTrace(body);
    });
  } else {
    return false;
  }
  return true;
}

export { itemIds, handleApi };
