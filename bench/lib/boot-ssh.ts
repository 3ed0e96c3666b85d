import { spawn } from 'node:child_process';
import { connect } from 'node:net';

/**
 * Boots an image under QEMU (TCG, the machine the builder's boot command uses)
 * with user-mode networking and a forward from 127.0.0.1:port to the guest's
 * port 22; returns the seconds until sshd sends its banner.
 */
export async function secondsToSsh(image: string, format: string, port: number, timeoutSeconds = 300): Promise<number> {
  const started = Date.now();
  const qemu = spawn('qemu-system-x86_64', [
    '-machine', 'pc', '-accel', 'tcg', '-m', '1024', '-smp', '2', '-display', 'none', '-monitor', 'none', '-serial', 'null',
    '-drive', `file=${image},format=${format},if=virtio,snapshot=on`,
    '-nic', `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${port}-:22`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  qemu.stderr.on('data', d => { stderr += d; });
  let exited = false;
  qemu.on('exit', () => { exited = true; });
  try {
    while (Date.now() - started < timeoutSeconds * 1000) {
      if (exited) throw new Error(`qemu exited: ${stderr.trim()}`);
      if (await bannerAnswers(port)) return (Date.now() - started) / 1000;
      await new Promise(r => setTimeout(r, 500));
    }
    throw new Error(`no SSH banner from ${image} within ${timeoutSeconds} s`);
  } finally {
    qemu.kill('SIGKILL');
  }
}

function bannerAnswers(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(3000, () => done(false));
    socket.on('data', d => { data += d; if (data.startsWith('SSH-')) done(true); });
    socket.on('error', () => done(false));
    socket.on('close', () => done(data.startsWith('SSH-')));
  });
}
