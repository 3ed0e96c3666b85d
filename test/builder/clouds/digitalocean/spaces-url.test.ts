import { DEFAULT_SPACES_ENDPOINT, endpointTemplateProblem, spacesEndpointFor, spacesObjectUrl, usesPathStyle } from '../../../../src/builder/clouds/digitalocean/spaces-url';

describe('spaces-url', () => {
  test('GIVEN the default template WHEN a region fills it THEN the object URL names the bucket in the host', () => {
    const endpoint = spacesEndpointFor(DEFAULT_SPACES_ENDPOINT, 'ams3');
    expect(endpoint).toBe('https://ams3.digitaloceanspaces.com');
    expect(usesPathStyle(endpoint)).toBe(false);
    expect(spacesObjectUrl(endpoint, 'my-bucket', 'docker-vm/abc.qcow2.gz')).toBe('https://my-bucket.ams3.digitaloceanspaces.com/docker-vm/abc.qcow2.gz');
  });

  test('GIVEN a local endpoint with a trailing slash WHEN the URL is made THEN the bucket is in the path', () => {
    const endpoint = spacesEndpointFor('http://127.0.0.1:9000/', 'nyc3');
    expect(endpoint).toBe('http://127.0.0.1:9000');
    expect(spacesObjectUrl(endpoint, 'b', 'k/x y.img')).toBe('http://127.0.0.1:9000/b/k/x%20y.img');
  });

  test.each([
    ['not a url', 'must be a URL'],
    ['ftp://{{.Region}}.example.com', 'must start with https://'],
    ['https://{{.Region}}.example.com/?a=1', 'no query'],
  ])('GIVEN the template %s WHEN checked THEN the problem says %s', (template, words) => {
    expect(endpointTemplateProblem(template)).toContain(words);
  });

  test('GIVEN the default template WHEN checked THEN it has no problem', () => {
    expect(endpointTemplateProblem(DEFAULT_SPACES_ENDPOINT)).toBeUndefined();
  });
});
