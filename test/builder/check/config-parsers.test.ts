import { effectiveDatasourceList, effectiveSshdOption, parseDatasourceList, parseFstab, rootPasswordField } from '../../../src/builder/check/config-parsers';

describe('parseDatasourceList', () => {
  test.each([
    ['an inline list', 'datasource_list: [ ConfigDrive, DigitalOcean, NoCloud, None ]\n', ['ConfigDrive', 'DigitalOcean', 'NoCloud', 'None']],
    ['quoted items and a comment', "datasource_list: ['ConfigDrive', \"NoCloud\"] # DO\n", ['ConfigDrive', 'NoCloud']],
    ['an inline list over several lines', 'datasource_list: [ ConfigDrive,\n  NoCloud,\n  None ]\nother: 1\n', ['ConfigDrive', 'NoCloud', 'None']],
    ['a block list', 'a: 1\ndatasource_list:\n  - ConfigDrive\n  # comment\n  - NoCloud\nb: 2\n', ['ConfigDrive', 'NoCloud']],
    ['an empty list', 'datasource_list: []\n', []],
  ])('reads %s', (_name, yaml, list) => {
    expect(parseDatasourceList(yaml)).toEqual(list);
  });

  test('ignores an indented (nested) or commented-out key', () => {
    expect(parseDatasourceList('datasource:\n  datasource_list: [ NoCloud ]\n# datasource_list: [ NoCloud ]\n')).toBeUndefined();
  });
});

describe('effectiveDatasourceList', () => {
  test('a later cloud.cfg.d file (lexical order) replaces the earlier value', () => {
    // GIVEN Debian's 90_dpkg.cfg with NoCloud first and a 99 file fixing it, listed out of order
    const dropIns = [
      { name: '99-digitalocean.cfg', text: 'datasource_list: [ ConfigDrive, NoCloud ]\n' },
      { name: '90_dpkg.cfg', text: 'datasource_list: [ NoCloud, ConfigDrive ]\n' },
      { name: 'README', text: 'datasource_list: [ Ignored ]\n' },
    ];
    // WHEN
    const result = effectiveDatasourceList('users: [default]\n', dropIns);
    // THEN
    expect(result).toEqual({ list: ['ConfigDrive', 'NoCloud'], from: '/etc/cloud/cloud.cfg.d/99-digitalocean.cfg' });
  });

  test('is unset when no file sets it', () => {
    expect(effectiveDatasourceList(undefined, [{ name: '05_logging.cfg', text: 'x: 1\n' }])).toEqual({});
  });
});

describe('effectiveSshdOption', () => {
  test('the first value sshd reads wins, with included drop-ins read where Include stands', () => {
    // GIVEN Debian's layout: Include at the top of sshd_config
    const files = new Map([
      ['/etc/ssh/sshd_config', 'Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n'],
      ['/etc/ssh/sshd_config.d/50-no.conf', 'PasswordAuthentication no\n'],
      ['/etc/ssh/sshd_config.d/60-yes.conf', 'PasswordAuthentication yes\n'],
    ]);
    // THEN
    expect(effectiveSshdOption(files, 'PasswordAuthentication')).toEqual({ value: 'no', from: '/etc/ssh/sshd_config.d/50-no.conf' });
  });

  test('a setting before the Include wins over the drop-ins; keywords are case-insensitive and take "="', () => {
    const files = new Map([
      ['/etc/ssh/sshd_config', 'passwordauthentication=yes\nInclude sshd_config.d/*.conf\n'],
      ['/etc/ssh/sshd_config.d/50-no.conf', 'PasswordAuthentication no\n'],
    ]);
    expect(effectiveSshdOption(files, 'PasswordAuthentication')).toEqual({ value: 'yes', from: '/etc/ssh/sshd_config' });
  });

  test('settings inside a Match block do not count', () => {
    const files = new Map([['/etc/ssh/sshd_config', '# PasswordAuthentication no\nMatch User backup\n  PasswordAuthentication no\n']]);
    expect(effectiveSshdOption(files, 'PasswordAuthentication')).toEqual({});
  });
});

describe('parseFstab and rootPasswordField', () => {
  test('parseFstab skips comments and blank lines and unescapes mount points', () => {
    expect(parseFstab('# c\n\nUUID=a / ext4 defaults 0 1\nUUID=B /my\\040data vfat x 0 2\n')).toEqual([
      { device: 'UUID=a', mountPoint: '/', type: 'ext4' },
      { device: 'UUID=B', mountPoint: '/my data', type: 'vfat' },
    ]);
  });

  test.each([
    ['root:!:20000:0:99999:7:::\n', '!'],
    ['daemon:*:1::\nroot::20000::\n', ''],
    ['daemon:*:1::\n', undefined],
  ])('rootPasswordField(%j) is %j', (shadow, field) => {
    expect(rootPasswordField(shadow)).toBe(field);
  });
});
