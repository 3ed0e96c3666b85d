import { outputFormat } from '../../src/builder/output-format';

describe('outputFormat', () => {
  test('takes --format and --compress over the output name', () => {
    expect(outputFormat('vm.qcow2.gz', 'vmdk', 'none')).toEqual({ format: 'vmdk', compression: 'none' });
  });

  test('fails when --compress is not one it writes', () => {
    expect(() => outputFormat('vm.img', undefined, 'xz')).toThrow(/^--compress xz is not supported; use one of none, gzip, bzip2$/);
  });

  test.each(['vm.constructor', 'vm.img.constructor', 'vm.tostring'])('fails when the extension of %s only names an Object property', (output) => {
    expect(() => outputFormat(output, undefined, undefined)).toThrow(/the extension \.\w+ is not one this tool writes/);
  });
});
