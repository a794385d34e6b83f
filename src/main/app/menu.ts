/** The application menu: the standard roles, plus help links that open in the system browser. */
import { Menu, shell, type MenuItemConstructorOptions } from 'electron'

export function buildMenu(): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'RISC-V Privileged Specification', click: () => void shell.openExternal('https://github.com/riscv/riscv-isa-manual') },
        { label: 'GNU ld: Linker Scripts', click: () => void shell.openExternal('https://sourceware.org/binutils/docs/ld/Scripts.html') },
      ],
    },
  ]
  return Menu.buildFromTemplate(template)
}
