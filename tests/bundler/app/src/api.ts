// Talks to the page's own server: every call is a real network await.
type Item = { id: number; name: string };

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

async function* items(ids: Array<number>): AsyncGenerator<Item> {
  for (const id of ids) {
    yield await getJson<Item>(`/api/item/${id}`);
  }
}

export type { Item };
export { getJson, items };
