/** Every page of a paged query, following next_page_token from `first` (each page its own call). */
export async function* pages<R extends { nextPageToken: string }>(
  fetchPage: (pageToken: string) => Promise<R>,
  first = '',
): AsyncGenerator<R> {
  let token = first;
  do {
    const page = await fetchPage(token);
    yield page;
    token = page.nextPageToken;
  } while (token);
}
