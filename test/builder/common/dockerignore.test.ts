import { canSkipDirectory, isIgnored, parseDockerignore } from '../../../src/builder/common/dockerignore';

describe('dockerignore', () => {
  test.each([
    // pattern, path, ignored
    ['*.log', 'app.log', true],
    ['*.log', 'sub/app.log', false], // * stays in one segment, patterns are rooted
    ['*.log', 'app.log.txt', false],
    ['**/*.log', 'sub/deep/app.log', true],
    ['**/node_modules', 'node_modules', true],
    ['**/node_modules', 'a/b/node_modules', true],
    ['**/node_modules', 'a/node_modules/pkg/index.js', true],
    ['**/node_modules', 'a/node_modules_old', false],
    ['build', 'build/out/x.o', true], // a directory pattern covers its content
    ['build', 'rebuild', false],
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file10.txt', false],
    ['x?y', 'x/y', false], // ? never matches a separator
    ['[ab].txt', 'a.txt', true],
    ['[ab].txt', 'b.txt', true],
    ['[ab].txt', 'c.txt', false],
    ['[!ab].txt', 'c.txt', true],
    ['[!ab].txt', 'a.txt', false],
    ['/secrets', 'secrets', true],
    ['./dist', 'dist/app.js', true],
    ['a/../b', 'b', true],
    ['file.txt', 'fileXtxt', false], // dots are literal
  ])('pattern %j ignores %j: %s', (pattern, p, ignored) => {
    expect(isIgnored(p, parseDockerignore(pattern))).toBe(ignored);
  });

  test('re-includes a file with a later ! exception', () => {
    // GIVEN
    const rules = parseDockerignore('*.log\n!keep.log\n');
    // THEN
    expect(isIgnored('app.log', rules)).toBe(true);
    expect(isIgnored('keep.log', rules)).toBe(false);
  });

  test('lets the last matching pattern win', () => {
    // GIVEN: the exception comes first, so *.log ignores keep.log again
    const rules = parseDockerignore('!keep.log\n*.log\n');
    // THEN
    expect(isIgnored('keep.log', rules)).toBe(true);
  });

  test('skips comments, blank lines and surrounding whitespace', () => {
    // GIVEN
    const rules = parseDockerignore('# *.md is a comment\n\n   \n  *.tmp  \r\n#tests\n');
    // THEN
    expect(rules).toHaveLength(1);
    expect(isIgnored('README.md', rules)).toBe(false);
    expect(isIgnored('x.tmp', rules)).toBe(true);
    expect(isIgnored('#tests', rules)).toBe(false);
  });

  test('drops patterns that clean to nothing', () => {
    expect(parseDockerignore('/\n.\n./\n!\n')).toEqual([]);
  });

  test('ignores nothing without rules', () => {
    expect(isIgnored('anything/at/all', [])).toBe(false);
  });
});

describe('canSkipDirectory', () => {
  test('skips an ignored directory when no ! rule exists', () => {
    expect(canSkipDirectory('a/node_modules', parseDockerignore('**/node_modules'))).toBe(true);
  });

  test('walks an ignored directory when a ! rule could re-include something in it', () => {
    expect(canSkipDirectory('build', parseDockerignore('build\n!build/keep.txt'))).toBe(false);
  });

  test('walks a directory that is not ignored', () => {
    expect(canSkipDirectory('src', parseDockerignore('build'))).toBe(false);
  });
});
